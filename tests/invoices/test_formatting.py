"""One VAT rate formatter: the fees pages' `vat_rate` filter is the documents' `rate`, in the
reader's language."""

from flask_babel import force_locale

from eventapp.services.fees.formatting import vat_rate


def test_the_fees_rate_filter_is_the_documents_formatter(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert vat_rate(2000) == "20\u202f%" and vat_rate(550) == "5,5\u202f%"
        with force_locale("en"):
            assert vat_rate(2000) == "20%" and vat_rate(550) == "5.5%"
