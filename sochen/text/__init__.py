"""Language helpers shared by every layer: Hebrew normalisation, tokens and prefix-aware stems."""

from .hebrew import fix_visual_order, has_hebrew, is_visual_order, normalize, stems, tokenize

__all__ = ["fix_visual_order", "has_hebrew", "is_visual_order", "normalize", "stems", "tokenize"]
