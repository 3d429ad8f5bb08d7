"""Known-answer vectors from spec/behaviors.md (V1–V4), shared by the identity tests."""

from __future__ import annotations

# V1: GUID (canonical) -> immutableId (Base64 of bytes_le)
V1 = [
    ("V1.1", "3ab39606-c642-489b-84b6-58c038d3ef39", "BpazOkLGm0iEtljAONPvOQ=="),
    ("V1.2", "8c4ac332-975f-4717-ad7b-ba4a4e968fff", "MsNKjF+XF0ete7pKTpaP/w=="),
    ("V1.3", "46e23144-8377-483e-a87e-b6769db62eed", "RDHiRneDPkiofrZ2nbYu7Q=="),
    ("V1.4", "6701fa1a-fb0f-45a8-9356-d302b2affbb1", "GvoBZw/7qEWTVtMCsq/7sQ=="),
    ("V1.5", "88666888-0101-1111-bbbb-1234567890ab", "iGhmiAEBERG7uxI0VniQqw=="),
    ("V1.6", "88888888-0101-3333-cccc-1234567890cd", "iIiIiAEBMzPMzBI0VniQzQ=="),
    ("V1.7", "30475e40-e7ae-4af3-af75-8b143c81daf5", "QF5HMK7n80qvdYsUPIHa9Q=="),
    ("V1.8", "897485c7-81a7-42eb-97c6-37ed73077b1f", "x4V0iaeB60KXxjftcwd7Hw=="),
    ("V1.9", "00000000-0000-0000-0000-000000000000", "AAAAAAAAAAAAAAAAAAAAAA=="),
]

# V2: GUID, wrong (big-endian) value that must never be produced, correct value
V2 = [
    (
        "6701fa1a-fb0f-45a8-9356-d302b2affbb1",
        "ZwH6GvsPRaiTVtMCsq/7sQ==",
        "GvoBZw/7qEWTVtMCsq/7sQ==",
    ),
    (
        "3ab39606-c642-489b-84b6-58c038d3ef39",
        "OrOWBsZCSJuEtljAONPvOQ==",
        "BpazOkLGm0iEtljAONPvOQ==",
    ),
    (
        "5c78336d-77d8-df44-8007-d277dad5c569",
        "XHgzbXfY30SAB9J32tXFaQ==",
        "bTN4XNh3RN+AB9J32tXFaQ==",
    ),
]

# V3: GUID, octet string, LDAP filter value (None: not given), connector-space DN (None: not given)
V3 = [
    (
        "8c4ac332-975f-4717-ad7b-ba4a4e968fff",
        "32c34a8c5f971747ad7bba4a4e968fff",
        r"\32\c3\4a\8c\5f\97\17\47\ad\7b\ba\4a\4e\96\8f\ff",
        "CN={4D734E4B6A462B58463065746537704B547061502F773D3D}",
    ),
    (
        "00112233-4455-6677-8899-aabbccddeeff",
        "33221100554477668899aabbccddeeff",
        r"\33\22\11\00\55\44\77\66\88\99\aa\bb\cc\dd\ee\ff",
        "CN={4D79495241465645643261496D6171377A4E33752F773D3D}",
    ),
    (
        "efbee1fe-ef4d-edac-dead-c0de87ea1337",
        "fee1beef4defaceddeadc0de87ea1337",
        r"\fe\e1\be\ef\4d\ef\ac\ed\de\ad\c0\de\87\ea\13\37",
        None,
    ),
    (
        "30475e40-e7ae-4af3-af75-8b143c81daf5",
        "405e4730aee7f34aaf758b143c81daf5",
        r"\40\5e\47\30\ae\e7\f3\4a\af\75\8b\14\3c\81\da\f5",
        "CN={514635484D4B376E38307176645973555049486139513D3D}",
    ),
    (
        "897485c7-81a7-42eb-97c6-37ed73077b1f",
        "c7857489a781eb4297c637ed73077b1f",
        None,
        "CN={783456306961654236304B58786A66746377643748773D3D}",
    ),
    (
        "3ab39606-c642-489b-84b6-58c038d3ef39",
        "0696b33a42c69b4884b658c038d3ef39",
        r"\06\96\b3\3a\42\c6\9b\48\84\b6\58\c0\38\d3\ef\39",
        "CN={4270617A4F6B4C476D306945746C6A414F4E50764F513D3D}",
    ),
]

# V3 row 3 gives the immutableId instead of the DN
V3_EFBEE1FE_IMMUTABLE_ID = "/uG+703vrO3ercDeh+oTNw=="

# V4: CloudAnchor published by ADSyncTools and its decoded object id
V4_CLOUD_ANCHOR = (
    "VAAAAFUAcwBlAHIAXwBjADcAMgA5ADAAMwBlAGQALQA3ADgAMQA2AC0ANAAxAGMAZAAtADkAMAA2ADYALQBl"
    "AGEAYwAzADMAZAAxADcAMQBkADcANwAAAA=="
)
V4_OBJECT_ID = "c72903ed-7816-41cd-9066-eac33d171d77"
