"""Settings (environment, ``.env``) and the tenant configuration schema (YAML ⇄ pydantic)."""

from .settings import Settings, get_settings, reset_settings
from .tenant import LoadedTenant, TenantConfig, TenantConfigError, load_tenant_file, parse_tenant_yaml

__all__ = [
    "LoadedTenant",
    "Settings",
    "TenantConfig",
    "TenantConfigError",
    "get_settings",
    "load_tenant_file",
    "parse_tenant_yaml",
    "reset_settings",
]
