"""Round trip: inputs -> form data -> form -> validate -> body gives back the same inputs.

For each of the 29 real apps, and for generated apps covering every type shape and dialect.
"""

import json

import pytest
from app_fixtures import REAL_APP_PATHS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inputs_strategies import inputs_for, raw_apps

from appspec import parse_app, type_label
from forms.inputs import build_inputs_form, inputs_body, inputs_formdata

REAL_APPS = REAL_APP_PATHS


def round_trip(spec, inputs):
    form_class = build_inputs_form(spec)
    formdata = inputs_formdata(spec, inputs)
    form = form_class(formdata, prefix="inputs")
    assert form.validate(), (form.errors, dict(formdata.lists()))
    return inputs_body(form, spec)


@pytest.mark.parametrize("path", REAL_APPS, ids=lambda p: p.stem)
def test_real_app_inputs_round_trip(path):
    spec = parse_app(json.loads(path.read_text()))
    # One field per input node: none dropped.
    form = build_inputs_form(spec)(None, prefix="inputs")
    assert [f.short_name for f in form] == [i.id for i in spec.inputs]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(inputs_for(spec.inputs))
    def check(inputs):
        assert round_trip(spec, inputs) == inputs

    check()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_apps_round_trip(data):
    raw = data.draw(raw_apps())
    spec = parse_app(raw)
    assert len(spec.inputs) == len(raw["inputs"])
    assert not [i for i in spec.inputs if "unknown" in type_label(i.type)], raw
    inputs = data.draw(inputs_for(spec.inputs))
    assert round_trip(spec, inputs) == inputs
