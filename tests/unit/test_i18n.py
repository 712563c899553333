from waste_tracker.i18n import pick_lang, translate


def test_default_language_is_chinese() -> None:
    assert pick_lang(None) == "zh-CN"
    assert pick_lang("fr-FR") == "zh-CN"


def test_english_when_preferred() -> None:
    assert pick_lang("en-US,en;q=0.9") == "en"
    assert pick_lang("zh-CN,zh;q=0.9,en;q=0.8") == "zh-CN"
    assert pick_lang("zh;q=0.5,en;q=0.9") == "en"


def test_missing_placeholders_do_not_raise() -> None:
    assert "{reason}" in translate("invalid_uscc", "en")
    assert translate("invalid_uscc", "en", reason="x").endswith("x")
    assert translate("no-such-code") == "no-such-code"
