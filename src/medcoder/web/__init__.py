"""The coder's workbench: server-rendered pages over the REST API (see ``pages``); the
served application, API and workbench together, is ``medcoder.web.app.create_app``."""
