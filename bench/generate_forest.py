"""Deterministic forests for benchmarks: an ldifde-style export of N users, groups and contacts.

    python bench/generate_forest.py --users 100000 --seed 1 --out forest.ldif
    python bench/generate_forest.py --users 100000 --seed 2 --out forest2.ldif \\
        --change-percent 1 --previous forest.ldif
    python bench/generate_forest.py --seed 2 --changes-only changes/0001.ldif \\
        --change-percent 1 --delete-percent 0.1 --previous forest.ldif

The same arguments always give a byte-identical file: identifiers (objectGUID, objectSid) are
hashes of the seed and the object's index, and every other choice comes from a
``random.Random(seed)`` consumed in a fixed order. ``--change-percent`` rewrites a previous
generation with exactly P% of its users changed (title and department, as a reorganisation
would), for delta-import benchmarks; everything else stays byte-identical.

``--changes-only FILE`` writes a change file instead, as ``ldifde -r "(uSNChanged>=N)"`` plus a
show-deleted export would: the full entries of the same P% of users ``--out`` would change,
then, with ``--delete-percent D``, the groups that lost a deleted member and a tombstone for each
of D% of the other users. The previous file with the change file applied is the forest the
same ``--out`` command writes, less the deleted users.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import struct
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from hybridsync.connectors.dn import escape_dn_value, format_dn, parse_dn
from hybridsync.connectors.ldif_format import LdifChange, LdifEntry, LdifProblem, parse_ldif
from hybridsync.connectors.ldif_writer import format_change

DEPARTMENTS = ("HR", "Engineering", "Sales", "Finance", "Marketing", "Support", "Legal", "IT")
TITLES = ("Analyst", "Engineer", "Senior Engineer", "Manager", "Coordinator", "Consultant")
FIRST = (
    "James", "Mary", "Robert", "Linda", "David", "Chloe", "Mateo", "Aisha", "Wei", "Sofia",
    "Richard", "Olga", "Kenji", "Fatima", "Lucas", "Emma", "Noah", "Priya", "Omar", "Ines",
)  # fmt: skip
LAST = (
    "Smith", "Jones", "Miller", "Martinez", "Perez", "Lewis", "Garcia", "Chen", "Kowalski",
    "Okafor", "Nguyen", "Schmidt", "Rossi", "Silva", "Tanaka", "Ivanova", "Haddad", "Brown",
)  # fmt: skip
WHEN = b"20260101000000.0Z"
AttributeValue = str | bytes | tuple[str, ...]


def generate(
    users: int,
    seed: int,
    *,
    domain: str = "corp.example.com",
    groups: int | None = None,
    group_size: int = 25,
    contacts: int = 5,
) -> Iterator[LdifEntry]:
    """The entries of a forest: domain root, OUs, users, groups (with members), contacts."""
    rng = random.Random(seed)
    base = ",".join(f"DC={label}" for label in domain.split("."))
    mail_domain = domain.split(".", 1)[1] if domain.count(".") >= 2 else domain
    sid_prefix = _domain_sid(seed)
    yield _entry(base, seed, "domain", 0, ("top", "domain", "domainDNS"), {})
    for index, ou in enumerate((*DEPARTMENTS, "Groups", "Contacts")):
        dn = f"OU={ou},{base}"
        yield _entry(dn, seed, "ou", index, ("top", "organizationalUnit"), {"ou": ou})
    user_dns: list[str] = []
    for index in range(users):
        entry = _user(rng, index, base, domain, mail_domain, seed, sid_prefix)
        user_dns.append(entry.dn)
        yield entry
    count = max(1, users // 100) if groups is None else groups
    for index in range(count):
        members = rng.sample(user_dns, min(group_size, len(user_dns)))
        yield _group(index, base, domain, seed, sid_prefix, users, sorted(members))
    for index in range(contacts):
        name = f"Partner Contact {index:03d}"
        mail = f"partner{index:03d}@fabrikam.example.com"
        attributes: dict[str, AttributeValue] = {
            "displayName": name,
            "mail": mail,
            "proxyAddresses": f"SMTP:{mail}",
        }
        classes = ("top", "person", "organizationalPerson", "contact")
        yield _entry(f"CN={name},OU=Contacts,{base}", seed, "contact", index, classes, attributes)


def vary(entries: Iterable[LdifEntry], percent: float, seed: int) -> Iterator[LdifEntry]:
    """``entries`` with exactly ``percent``% of the users given a new title and department."""
    materialized = list(entries)
    changed, _ = _changed_users(materialized, percent, random.Random(seed))
    for index, entry in enumerate(materialized):
        yield changed.get(index, entry)


def changes_only(
    entries: Iterable[LdifEntry], percent: float, seed: int, *, delete_percent: float = 0
) -> Iterator[LdifEntry]:
    """A change file against ``entries``: what :func:`vary` changes, then deletions.

    The changed users' full entries come first, in forest order; then every group that held a
    deleted user, without it (AD removes a deleted user from its groups, which changes them);
    then a tombstone for each deleted user, as a show-deleted export shows it. Deleted users
    are ``delete_percent``% of the users, chosen among those not changed.
    """
    materialized = list(entries)
    rng = random.Random(seed)
    changed, users = _changed_users(materialized, percent, rng)
    others = [index for index in users if index not in changed]
    deleted = sorted(rng.sample(others, round(len(users) * delete_percent / 100)))
    yield from (changed[index] for index in sorted(changed))
    gone = {materialized[index].dn.encode() for index in deleted}
    for entry in materialized:
        members = entry.attributes.get("member", ())
        if gone.intersection(members):
            kept = tuple(member for member in members if member not in gone)
            yield LdifEntry(entry.dn, {**entry.attributes, "member": kept}, entry.line)
    yield from (_tombstone(materialized[index]) for index in deleted)


def write_forest(entries: Iterable[LdifEntry], out: Path) -> int:
    """Write entries as ldifde exports them (``changetype: add`` records); returns the count."""
    count = 0
    with out.open("w", encoding="utf-8", newline="\n") as file:
        for entry in entries:
            file.write(format_change(LdifChange(entry.dn, "add", attributes=entry.attributes)))
            count += 1
    return count


def read_forest(path: Path) -> Iterator[LdifEntry]:
    """Entries of a previous generation (content or ``changetype: add`` records)."""
    with path.open(encoding="utf-8", newline="") as file:
        for record in parse_ldif(file):
            if isinstance(record, LdifProblem):
                raise SystemExit(f"{path}:{record.line}: {record.message}")
            if isinstance(record, LdifChange):
                if record.changetype != "add":
                    raise SystemExit(f"{path}:{record.line}: not a generated forest")
                yield LdifEntry(record.dn, record.attributes, record.line)
            else:
                yield record


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=None, help="for a new forest")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="write a whole forest here")
    parser.add_argument("--changes-only", type=Path, default=None, help="write a change file here")
    parser.add_argument("--delete-percent", type=float, default=None, help="with --changes-only")
    parser.add_argument("--domain", default="corp.example.com")
    parser.add_argument("--groups", type=int, default=None, help="default: users / 100")
    parser.add_argument("--group-size", type=int, default=25)
    parser.add_argument("--contacts", type=int, default=5)
    parser.add_argument("--change-percent", type=float, default=None)
    parser.add_argument("--previous", type=Path, default=None)
    args = parser.parse_args(argv)
    _check(parser, args)
    out: Path = args.out or args.changes_only
    if args.changes_only is not None:
        entries = changes_only(
            read_forest(args.previous),
            args.change_percent,
            args.seed,
            delete_percent=args.delete_percent or 0,
        )
    elif args.previous is not None:
        entries = vary(read_forest(args.previous), args.change_percent, args.seed)
    else:
        entries = generate(
            args.users,
            args.seed,
            domain=args.domain,
            groups=args.groups,
            group_size=args.group_size,
            contacts=args.contacts,
        )
    count = write_forest(entries, out)
    print(f"wrote {count} entries to {out}", file=sys.stderr)
    return 0


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if (args.out is None) == (args.changes_only is None):
        parser.error("give one of --out (a forest) and --changes-only (a change file)")
    if (args.change_percent is None) != (args.previous is None):
        parser.error("--change-percent and --previous go together")
    if args.changes_only is not None and args.previous is None:
        parser.error("--changes-only needs --previous and --change-percent")
    if args.delete_percent is not None and args.changes_only is None:
        parser.error("--delete-percent goes with --changes-only")
    if args.previous is None and args.users is None:
        parser.error("--users is needed for a new forest")
    for name in ("change_percent", "delete_percent"):
        value = getattr(args, name)
        if value is not None and not 0 <= value <= 100:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 100")
    if (args.change_percent or 0) + (args.delete_percent or 0) > 100:
        parser.error("--change-percent and --delete-percent add up to more than 100")


def _user(
    rng: random.Random,
    index: int,
    base: str,
    domain: str,
    mail_domain: str,
    seed: int,
    sid_prefix: bytes,
) -> LdifEntry:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    department, title = rng.choice(DEPARTMENTS), rng.choice(TITLES)
    disabled = rng.random() < 0.05
    number = f"{index:06d}"
    sam = f"{first[0]}.{last}{number}".lower()
    mail = f"{first}.{last}{number}@{mail_domain}".lower()
    dn = f"CN={first} {last} {number},OU={department},{base}"
    attributes: dict[str, AttributeValue] = {
        "cn": f"{first} {last} {number}",
        "sn": last,
        "givenName": first,
        "displayName": f"{first} {last} ({number})",
        "title": title,
        "department": department,
        "employeeID": f"E{index:07d}",
        "sAMAccountName": sam,
        "userPrincipalName": f"{first}.{last}.{number}@{domain}".lower(),
        "mail": mail,
        "proxyAddresses": (f"SMTP:{mail}", f"smtp:{sam}@{domain}"),
        "userAccountControl": "514" if disabled else "512",
        "objectSid": sid_prefix + struct.pack("<I", 1100 + index),
    }
    classes = ("top", "person", "organizationalPerson", "user")
    return _entry(dn, seed, "user", index, classes, attributes)


def _group(
    index: int, base: str, domain: str, seed: int, sid_prefix: bytes, users: int, members: list[str]
) -> LdifEntry:
    name = f"Team {index:05d}"
    attributes: dict[str, AttributeValue] = {
        "cn": name,
        "sAMAccountName": f"team{index:05d}",
        "groupType": "-2147483646",
        "objectSid": sid_prefix + struct.pack("<I", 1100 + users + index),
        "member": tuple(members),
    }
    if index % 2 == 0:
        attributes["mail"] = f"team{index:05d}@{domain}"
        attributes["proxyAddresses"] = f"SMTP:team{index:05d}@{domain}"
    dn = f"CN={name},OU=Groups,{base}"
    return _entry(dn, seed, "group", index, ("top", "group"), attributes)


def _entry(
    dn: str,
    seed: int,
    kind: str,
    index: int,
    classes: tuple[str, ...],
    attributes: Mapping[str, AttributeValue],
) -> LdifEntry:
    values: dict[str, tuple[bytes, ...]] = {"objectClass": tuple(c.encode() for c in classes)}
    for name, value in attributes.items():
        if isinstance(value, tuple):
            values[name] = tuple(v.encode() for v in value)
        else:
            values[name] = (value if isinstance(value, bytes) else value.encode(),)
    values["objectGUID"] = (
        hashlib.blake2b(f"{seed}:{kind}:{index}".encode(), digest_size=16).digest(),
    )
    values["distinguishedName"] = (dn.encode(),)
    values["whenChanged"] = (WHEN,)
    return LdifEntry(dn, values)


def _domain_sid(seed: int) -> bytes:
    """S-1-5-21-a-b-c: the prefix every account SID of the generated domain shares."""
    a, b, c = struct.unpack(
        "<3I", hashlib.blake2b(f"{seed}:domain".encode(), digest_size=12).digest()
    )
    return bytes([1, 5]) + (5).to_bytes(6, "big") + struct.pack("<4I", 21, a, b, c)


def _changed_users(
    entries: Sequence[LdifEntry], percent: float, rng: random.Random
) -> tuple[dict[int, LdifEntry], list[int]]:
    """``(changed entries by index, indexes of all users)``; ``rng`` is consumed in order."""
    users = [i for i, entry in enumerate(entries) if _is_user(entry)]
    chosen = set(rng.sample(users, round(len(users) * percent / 100)))
    changed: dict[int, LdifEntry] = {}
    for index in sorted(chosen):
        entry = entries[index]
        attributes = dict(entry.attributes)
        title = attributes.get("title", (b"",))[0]
        department = attributes.get("department", (b"",))[0]
        attributes["title"] = (_other(rng, TITLES, title),)
        attributes["department"] = (_other(rng, DEPARTMENTS, department),)
        changed[index] = LdifEntry(entry.dn, attributes, entry.line)
    return changed, users


def _tombstone(entry: LdifEntry) -> LdifEntry:
    """The entry as AD shows it deleted with the Recycle Bin off (see samba-corp-deleted.ldif)."""
    guid = uuid.UUID(bytes_le=entry.attributes["objectGUID"][0])
    rdns = parse_dn(entry.dn)
    domain = tuple(rdn for rdn in rdns if rdn[0][0].upper() == "DC")
    name = f"{escape_dn_value(rdns[0][0][1])}\\0ADEL:{guid}"
    dn = f"CN={name},CN=Deleted Objects,{format_dn(domain)}"
    kept = ("objectClass", "objectGUID", "objectSid", "sAMAccountName", "userAccountControl")
    attributes = {key: entry.attributes[key] for key in kept if key in entry.attributes}
    attributes["isDeleted"] = (b"TRUE",)
    attributes["isRecycled"] = (b"TRUE",)
    attributes["lastKnownParent"] = (format_dn(rdns[1:]).encode(),)
    attributes["distinguishedName"] = (dn.encode(),)
    attributes["whenChanged"] = (WHEN,)
    return LdifEntry(dn, attributes)


def _is_user(entry: LdifEntry) -> bool:
    classes = {c.lower() for c in entry.attributes.get("objectClass", ())}
    return b"user" in classes and b"computer" not in classes


def _other(rng: random.Random, choices: Sequence[str], current: bytes) -> bytes:
    return rng.choice([c for c in choices if c.encode() != current]).encode()


if __name__ == "__main__":
    raise SystemExit(main())
