import copy
import logging
import pickle

import pytest

import sochen.privacy as privacy
from sochen.privacy import RedactingFilter, Redaction, install_log_redaction, redact

pytestmark = pytest.mark.unit

TEXT = 'שמי דנה כהן, ת"ז 039337423, טלפון 050-1234567, נייד נוסף 052-7654321, dana@example.com'


def test_public_api_is_exactly_this():
    assert sorted(privacy.__all__) == sorted(
        [
            "PII_TYPES",
            "Assessment",
            "BusinessTerms",
            "Finding",
            "Redaction",
            "RedactingFilter",
            "assess",
            "install_log_redaction",
            "parse_phone",
            "phone_kind",
            "redact",
            "scan",
        ]
    )
    assert set(privacy.PII_TYPES) == {
        "id_number",
        "phone",
        "email",
        "credit_card",
        "iban",
        "bank_account",
        "date_of_birth",
        "health",
        "name",
        "address",
    }


def test_redaction_uses_typed_hebrew_placeholders_and_numbers_repeats():
    r = redact(TEXT)
    assert r.text == 'שמי [שם], ת"ז [ת"ז], טלפון [טלפון], נייד נוסף [טלפון 2], [דוא"ל]'
    for value in ("דנה כהן", "039337423", "050-1234567", "052-7654321", "dana@example.com"):
        assert value not in r.text


def test_restore_round_trip():
    r = redact(TEXT)
    assert r.restore(r.text) == TEXT


def test_restore_in_a_model_answer():
    r = redact(TEXT)
    answer = 'שלום [שם], נחזור אליך ל[טלפון 2] ונשלח אישור ל[דוא"ל]. מספר [לא ידוע] נשאר.'
    assert r.restore(answer) == (
        "שלום דנה כהן, נחזור אליך ל052-7654321 ונשלח אישור לdana@example.com. מספר [לא ידוע] נשאר."
    )


def test_restore_tolerates_gershayim_and_spaces():
    r = redact(TEXT)
    assert r.restore("[ת״ז] / [ טלפון  2 ]") == "039337423 / 052-7654321"


def test_same_value_gets_same_placeholder():
    r = redact("050-1234567 ושוב 050-1234567 ואז 03-5123456")
    assert r.text == "[טלפון] ושוב [טלפון] ואז [טלפון 2]"
    assert r.restore(r.text) == "050-1234567 ושוב 050-1234567 ואז 03-5123456"


def test_every_placeholder_label():
    text = (
        'ת"ז 039337423, 050-1234567, a@b.co, כרטיס 4580458045804580, IL620108000000099999999, '
        "חשבון 12-345-678901, תאריך לידה 1.2.1980, יש לי סוכרת, שמי דנה, גר ברחוב הרצל 12"
    )
    r = redact(text)
    for label in (
        '[ת"ז]',
        "[טלפון]",
        '[דוא"ל]',
        "[כרטיס אשראי]",
        "[חשבון בנק]",
        "[חשבון בנק 2]",
        "[תאריך לידה]",
        "[מידע רפואי]",
        "[שם]",
        "[כתובת]",
    ):
        assert label in r.text, (label, r.text)
    assert r.restore(r.text) == text


def test_redact_only_some_types():
    r = redact(TEXT, types={"phone"})
    assert "דנה כהן" in r.text and "039337423" in r.text and "[טלפון 2]" in r.text


def test_redaction_keeps_hebrew_prefix_and_niqqud_safe():
    r = redact("אני סוֹבֶלֶת מִסֻּכֶּרֶת")
    assert r.text == "אני סוֹבֶלֶת מִ[מידע רפואי]"


def test_redaction_repr_and_pickle_do_not_leak():
    r = redact(TEXT)
    assert "039337423" not in repr(r) and "דנה" not in repr(r)
    with pytest.raises(TypeError):
        pickle.dumps(r)
    with pytest.raises(TypeError):
        copy.deepcopy(r)


def test_text_without_personal_data_is_unchanged():
    r = redact("מה שעות הפתיחה ביום ו'?")
    assert isinstance(r, Redaction)
    assert r.text == "מה שעות הפתיחה ביום ו'?" and r.findings == () and r.restore("[טלפון]") == "[טלפון]"


# --- Logging ------------------------------------------------------------------------------------


@pytest.fixture
def redacting_caplog(caplog):
    flt = RedactingFilter()
    caplog.handler.addFilter(flt)
    caplog.set_level(logging.INFO)
    yield caplog
    caplog.handler.removeFilter(flt)


def test_filter_redacts_message_and_args(redacting_caplog):
    log = logging.getLogger("sochen.test.privacy")
    log.info("new patient %s, id %s", "דנה כהן", "039337423")
    log.info('ת"ז 219472156 טלפון 050-1234567')
    text = redacting_caplog.text
    assert "039337423" not in text and "219472156" not in text and "050-1234567" not in text
    assert "[טלפון]" in text and '[ת"ז]' in text
    assert redacting_caplog.records[0].args is None


def test_filter_redacts_exception_text(redacting_caplog):
    log = logging.getLogger("sochen.test.privacy")
    try:
        raise ValueError("bad phone 050-1234567")
    except ValueError:
        log.exception('failed for ת"ז 039337423')
    assert "050-1234567" not in redacting_caplog.text
    assert "039337423" not in redacting_caplog.text
    assert "[טלפון]" in redacting_caplog.text


def test_filter_survives_a_broken_format_string(redacting_caplog):
    logging.getLogger("sochen.test.privacy").info("%s %s", "050-1234567")
    assert "050-1234567" not in redacting_caplog.text


def test_install_log_redaction_on_root_handlers(caplog):
    caplog.set_level(logging.INFO)
    root = logging.getLogger()
    try:
        flt = install_log_redaction()
        assert install_log_redaction() is flt  # idempotent
        assert sum(isinstance(f, RedactingFilter) for f in caplog.handler.filters) == 1
        logging.getLogger("sochen.deep.child").warning("call me at 050-1234567")
        assert "050-1234567" not in caplog.text and "[טלפון]" in caplog.text
    finally:
        for h in root.handlers:
            for f in list(h.filters):
                if isinstance(f, RedactingFilter):
                    h.removeFilter(f)
