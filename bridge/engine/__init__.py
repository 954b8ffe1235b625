"""The sync engine: ingest feeds, route items to accounts, publish them to Postoria.

The modules here are deliberately independent of one another at import time:
``ingest``/``routing`` turn feed entries into planned publications, ``publisher``
moves those publications through Postoria, and ``engine``/``jobs`` run the whole
thing once (``bridge sync --once``) or on a schedule (``bridge run``). Import the
piece you need from its own module; nothing is re-exported here.
"""
