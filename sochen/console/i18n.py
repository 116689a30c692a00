"""The console's strings: Hebrew first, English for an integrator; the choice lives in a cookie.

``t(key, lang, **values)`` looks a key up in :data:`CATALOGUE` (``key: (hebrew, english)``) and fills
``{name}`` placeholders. Templates get a ``t`` already bound to the request's language. A missing key
is a bug, so it raises (tests render every page).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["CATALOGUE", "LANGS", "LANG_COOKIE", "bound", "t"]

LANG_COOKIE = "sochen_lang"
LANGS = ("he", "en")

CATALOGUE: dict[str, tuple[str, str]] = {
    # frame
    "app.name": ("סוכן", "Sochen"),
    "app.console": ("מסוף", "Console"),
    "nav.inbox": ("תיבת פניות", "Inbox"),
    "nav.archive": ("ארכיון", "Archive"),
    "nav.owner": ("ניהול", "Owner"),
    "nav.tenants": ("דיירים", "Tenants"),
    "nav.logout": ("יציאה", "Sign out"),
    "nav.lang": ("English", "עברית"),
    "nav.skip": ("דלג לתוכן", "Skip to content"),
    "role.owner": ("בעלים", "owner"),
    "role.agent": ("נציג", "agent"),
    "role.viewer": ("צופה", "viewer"),
    "role.operator": ("מפעיל", "operator"),
    # login
    "login.title": ("כניסה", "Sign in"),
    "login.login": ("שם משתמש או דוא״ל", "User name or e-mail"),
    "login.password": ("סיסמה", "Password"),
    "login.submit": ("כניסה", "Sign in"),
    "login.invalid": ("שם המשתמש או הסיסמה שגויים", "Wrong user name or password"),
    "login.throttled": (
        "יותר מדי ניסיונות כושלים. נסו שוב בעוד כמה דקות.",
        "Too many failed attempts. Try again in a few minutes.",
    ),
    "login.hint": ("משתמש חדש: sochen users add", "New user: sochen users add"),
    # errors
    "error.title": ("שגיאה", "Error"),
    "error.not_found": ("הדף לא נמצא", "Page not found"),
    "error.forbidden": ("אין לך הרשאה לפעולה הזאת", "You may not do this"),
    "error.csrf": (
        "הטופס פג תוקף. רעננו את הדף ונסו שוב.",
        "The form has expired. Reload the page and try again.",
    ),
    "error.back": ("חזרה", "Back"),
    # tenants
    "tenants.title": ("בחירת דייר", "Choose a tenant"),
    "tenants.none": ("אין דיירים עדיין", "No tenants yet"),
    # inbox
    "inbox.title": ("תיבת פניות", "Inbox"),
    "inbox.filter.all": ("הכול", "All"),
    "inbox.filter.needs_person": ("ממתינות לנציג", "Needs a person"),
    "inbox.filter.person": ("אצל נציג", "With a person"),
    "inbox.filter.agent": ("אצל הסוכן", "With the agent"),
    "inbox.filter.closed": ("סגורות", "Closed"),
    "inbox.empty": ("אין שיחות כאן", "No conversations here"),
    "inbox.unread": ("{n} חדשות", "{n} unread"),
    "inbox.live": ("מתעדכן חי", "Live"),
    "inbox.more": ("עוד שיחות", "More conversations"),
    "inbox.badge": ("{n} ממתינות לנציג", "{n} waiting for a person"),
    "status.active": ("אצל הסוכן", "with the agent"),
    "status.needs_person": ("ממתינה לנציג", "needs a person"),
    "status.person": ("אצל נציג", "with a person"),
    "status.closed": ("סגורה", "closed"),
    # conversation
    "conv.title": ("שיחה", "Conversation"),
    "conv.back": ("לתיבת הפניות", "Back to the inbox"),
    "conv.channel": ("ערוץ", "Channel"),
    "conv.taken_by": ("מטפל/ת: {name}", "Handled by {name}"),
    "conv.reason": ("סיבת ההעברה: {reason}", "Handoff reason: {reason}"),
    "role.user": ("לקוח/ה", "Customer"),
    "role.agent_bot": ("הסוכן", "Agent"),
    "role.human": ("נציג/ה", "Person"),
    "role.note": ("הערה פנימית", "Internal note"),
    "turn.route": ("ניתוב", "Route"),
    "turn.reason": ("סיבה", "Reason"),
    "turn.citations": ("מקורות", "Citations"),
    "turn.events": ("אירועים", "Events"),
    "conv.jobs": ("אירועים ומשימות", "Events and jobs"),
    "conv.no_jobs": ("אין משימות", "No jobs"),
    "job.error": ("שגיאה", "Error"),
    "job.attempts": ("ניסיונות: {n}", "attempts: {n}"),
    "job.pending": ("ממתינה", "pending"),
    "job.running": ("רצה", "running"),
    "job.succeeded": ("הצליחה", "succeeded"),
    "job.held": ("מוחזקת", "held"),
    "job.dead": ("נכשלה סופית", "failed for good"),
    "job.cancelled": ("בוטלה", "cancelled"),
    "delivery.accepted": ("התקבלה אצל הספק", "accepted"),
    "delivery.sent": ("נשלחה", "sent"),
    "delivery.delivered": ("נמסרה", "delivered"),
    "delivery.read": ("נקראה", "read"),
    "delivery.played": ("הושמעה", "played"),
    "delivery.failed": ("המסירה נכשלה", "delivery failed"),
    "act.take": ("לקחת את השיחה", "Take over"),
    "act.release": ("להחזיר לסוכן", "Release to the agent"),
    "act.close": ("לסגור", "Close"),
    "act.reply": ("לשלוח ללקוח", "Send to the customer"),
    "act.note": ("לשמור הערה", "Save note"),
    "act.reply_label": ("תשובה ללקוח", "Reply to the customer"),
    "act.note_label": ("הערה פנימית (לא נשלחת ללקוח)", "Internal note (never sent to the customer)"),
    "act.viewer": ("צפייה בלבד: אין לך הרשאה לפעול בשיחה", "View only: you may not act on this conversation"),
    "window.open": (
        "חלון השירות של 24 השעות פתוח: אפשר לכתוב ללקוח",
        "The 24-hour window is open: you may write to the customer",
    ),
    "window.unknown": ("לא ידוע אם חלון השירות פתוח", "Whether the service window is open is not known"),
    "window.closed": (
        "חלון השירות של 24 השעות נסגר: אפשר לשלוח רק תבנית מאושרת",
        "The 24-hour window is closed: only an approved template can be sent",
    ),
    "window.none": ("לערוץ הזה אין חלון שירות", "This channel has no service window"),
    "flash.taken": ("השיחה אצלך; הסוכן שותק", "The conversation is yours; the agent is silent"),
    "flash.released": ("השיחה הוחזרה לסוכן", "The conversation is back with the agent"),
    "flash.closed": ("השיחה נסגרה", "The conversation is closed"),
    "flash.sent": ("התשובה בתור לשליחה", "The reply is queued to be sent"),
    "flash.noted": ("ההערה נשמרה", "The note is saved"),
}


def t(key: str, lang: str = "he", /, **values: object) -> str:
    """The string for ``key`` in ``lang`` ('he' or 'en'), placeholders filled."""
    he, en = CATALOGUE[key]
    text = en if lang == "en" else he
    return text.format(**values) if values else text


def bound(lang: str) -> Callable[..., str]:
    """``t`` with the language fixed (what templates call)."""

    def translate(key: str, /, **values: object) -> str:
        return t(key, lang, **values)

    return translate
