"""Language helpers shared by every layer: Hebrew normalisation, tokens, stems and spelling keys."""

from .hebrew import fix_visual_order, has_hebrew, is_visual_order, normalize, stems, tokenize
from .variants import hebrew_sound_key, latin_key, spelling_key

__all__ = [
    "fix_visual_order",
    "has_hebrew",
    "hebrew_sound_key",
    "is_visual_order",
    "latin_key",
    "normalize",
    "spelling_key",
    "stems",
    "tokenize",
]
