"""The organiser blueprint (/organiser). The feature packages attach their views to it; the
package's __init__ lists them."""

from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/organiser")
