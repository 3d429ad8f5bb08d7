"""The sync engine: connector spaces, the metaverse, join/projection, attribute flow with
precedence, sourceAnchor, run profiles, staging and the export deletion threshold.

The modules ``model``, ``scope``, ``join``, ``anchor``, ``flow``, ``outbound`` and ``delta`` are
the pure core (values in, decisions out); ``repository``, ``lock``, ``history``, the step
modules and ``runner`` do the I/O.
"""
