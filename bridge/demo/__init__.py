"""``bridge demo``: the whole bridge on one machine, in well under a minute.

A Postoria sandbox and a feed server start on loopback; the sample Acme blog feed
(``feed.xml``, with the images in ``images/``) is served from the feed server; the demo
configuration (``demo.toml``, also at ``config/demo.toml``) is written to a temporary folder
pointing at both; then the real engine and scheduler run until every post has its result.
"""
