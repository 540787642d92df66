import json

from valleymaps.render._safe_json import script_json


def test_script_cannot_be_closed_from_data():
    text = script_json({"name": "</script><script>alert(1)</script>", "v": float("nan")})
    assert "</script>" not in text and "<" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "v": None}
