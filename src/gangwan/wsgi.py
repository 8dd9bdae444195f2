"""The WSGI application granian serves (`gangwan run`). The public vote's cast endpoint answers
through voting's fast path (same function, same checks, without the middleware chain: see
gangwan/voting/fastpath.py); every other request goes through Django as usual."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gangwan.settings")
django_application = get_wsgi_application()

from gangwan.voting.fastpath import wrap  # noqa: E402 (needs the settings above)

application = wrap(django_application)
