"""The agent's fixed replies in the writer's language: English, Arabic or Russian beside the tenant's Hebrew.

A tenant writes its templates and slot prompts in Hebrew (``agent.templates``, ``agent.slots``). A person who
writes in English, Arabic or Russian gets the built-in translation of a reply the tenant left at its default;
a reply the tenant wrote itself is its reviewed text and is said as written. The language of a conversation is
that of the last message that says enough to tell (a bare name, '0521234567' or '10:00' keeps it).
"""

from __future__ import annotations

import re
from datetime import datetime

from ..config.sections.agent import OpeningHours, ReplyTemplates, SlotSpec, _default_slots
from .answering.language import detect

__all__ = ["conversation_language", "show_day_hours", "show_schedule", "show_when", "slot_prompt", "template"]

_LETTERS = re.compile(r"[A-Za-z\u0621-\u064a\u0400-\u04ff\u05d0-\u05ea]")

_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello! This is {assistant}. How can I help?",
        "lead_done": "Thank you {name}! We have registered your request for {service} ({when}). "
        "A member of our team will get back to you shortly.",
        "handoff": "I am passing the conversation to a person on our team, who will get back to you shortly.",
        "complaint": "We are sorry to hear that. We have passed your message to the team and someone will get back "
        "to you shortly.",
        "out_of_scope": "I can help with questions about our services, prices, opening hours and booking appointments.",
        "not_understood": "I am not sure I understood. Could you put it another way?",
        "outside_hours": "The time you asked for ({when}) is outside our opening hours ({day_hours}). The nearest "
        "time we are open: "
        "{proposal}. Does that suit you? You can also suggest another time.",
        "staff_outside_hours": "The time you asked for ({when}) is not within {staff}'s hours ({schedule}). The "
        "nearest time with {staff}: {proposal}. Does that suit you? You can also suggest another time.",
        "booking_checking": "Thank you {name}! I am checking the calendar for the nearest free times for {service} "
        "({when}) and will send them to you right away.",
        "booking_confirming": "Great, I am booking your appointment for {when}. A confirmation will follow shortly.",
        "booking_cancelling": "You asked to cancel the appointment on {when}. I am cancelling it in the calendar, "
        "and a confirmation will follow shortly.",
    },
    "ar": {
        "greeting": "مرحبًا! معك {assistant}. كيف يمكنني المساعدة؟",
        "lead_done": "شكرًا {name}! سجّلنا طلبك بخصوص {service} ({when}). سيتواصل معك أحد أفراد فريقنا قريبًا.",
        "handoff": "أحوّل المحادثة إلى أحد أفراد فريقنا، وسيتواصل معك قريبًا.",
        "complaint": "يؤسفنا سماع ذلك. حوّلنا رسالتك إلى الفريق وسيتواصل معك أحدهم قريبًا.",
        "out_of_scope": "يمكنني المساعدة في الأسئلة عن خدماتنا وأسعارنا وساعات العمل وحجز المواعيد.",
        "not_understood": "لست متأكدة أنني فهمت. هل يمكنك إعادة الصياغة؟",
        "outside_hours": "الموعد الذي طلبته ({when}) خارج ساعات عملنا ({day_hours}). أقرب موعد نكون فيه مفتوحين: "
        "{proposal}. "
        "هل يناسبك؟ يمكنك أيضًا اقتراح موعد آخر.",
        "staff_outside_hours": "الموعد الذي طلبته ({when}) ليس ضمن ساعات استقبال {staff} ({schedule}). أقرب موعد "
        "عند {staff}: {proposal}. هل يناسبك؟ يمكنك أيضًا اقتراح موعد آخر.",
        "booking_checking": "شكرًا {name}! أبحث في التقويم عن أقرب المواعيد المتاحة لـ{service} ({when}) وأرسلها "
        "إليك فورًا.",
        "booking_confirming": "ممتاز، أحجز لك الموعد في {when}. سيصلك التأكيد قريبًا.",
        "booking_cancelling": "طلبت إلغاء الموعد في {when}. ألغيه في التقويم، وسيصلك التأكيد قريبًا.",
    },
    "ru": {
        "greeting": "Здравствуйте! Это {assistant}. Чем могу помочь?",
        "lead_done": "Спасибо, {name}! Мы записали ваше обращение: {service} ({when}). Наш сотрудник скоро "
        "свяжется с вами.",
        "handoff": "Я передаю разговор сотруднику нашей команды, он скоро свяжется с вами.",
        "complaint": "Нам жаль это слышать. Мы передали ваше сообщение команде, с вами скоро свяжутся.",
        "out_of_scope": "Я могу помочь с вопросами об услугах, ценах, часах работы и записи на приём.",
        "not_understood": "Не уверена, что поняла. Можете сформулировать иначе?",
        "outside_hours": "Время, которое вы выбрали ({when}), вне наших часов работы ({day_hours}). Ближайшее время, "
        "когда мы "
        "открыты: {proposal}. Вам подходит? Можно предложить и другое время.",
        "staff_outside_hours": "Время, которое вы выбрали ({when}), не входит в часы приёма: {staff} ({schedule}). "
        "Ближайшее время у этого специалиста: {proposal}. Вам подходит? Можно предложить и другое время.",
        "booking_checking": "Спасибо, {name}! Я проверяю в календаре ближайшее свободное время для: {service} "
        "({when}) и сразу пришлю его вам.",
        "booking_confirming": "Отлично, я записываю вас на {when}. Подтверждение придёт в ближайшее время.",
        "booking_cancelling": "Вы попросили отменить приём {when}. Я отменяю его в календаре, подтверждение придёт "
        "в ближайшее время.",
    },
}

_PROMPTS: dict[str, dict[str, str]] = {
    "en": {
        "name": "What is your name?",
        "phone": "Which phone number should we call you back on?",
        "service": "Which treatment or service is it about?",
        "preferred_time": "When would suit you? (for example: tomorrow at 10, next Sunday)",
    },
    "ar": {
        "name": "ما اسمك؟",
        "phone": "على أي رقم هاتف نعاود الاتصال بك؟",
        "service": "عن أي علاج أو خدمة تسأل؟",
        "preferred_time": "متى يناسبك الحضور؟ (مثلًا: غدًا الساعة 10، يوم الأحد القادم)",
    },
    "ru": {
        "name": "Как вас зовут?",
        "phone": "По какому номеру телефона вам перезвонить?",
        "service": "О какой процедуре или услуге идёт речь?",
        "preferred_time": "Когда вам удобно прийти? (например: завтра в 10, в следующее воскресенье)",
    },
}

_DAYS = {
    "he": ["שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת", "ראשון"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ar": ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"],
    "ru": ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"],
}
_WHEN = {
    "he": "יום {day} {date} בשעה {time}",
    "en": "{day} {date} at {time}",
    "ar": "يوم {day} {date} الساعة {time}",
    "ru": "{day}, {date}, в {time}",
}
# That day's hours as the out-of-hours reply says them: open spans, or closed (a weekday off, a holiday).
_DAY_HOURS = {
    "he": ("ביום {day}: {spans}", "ביום {day} סגור"),
    "en": ("on {day}: {spans}", "closed on {day}"),
    "ar": ("يوم {day}: {spans}", "مغلق يوم {day}"),
    "ru": ("{day}: {spans}", "{day}: закрыто"),
}
_DEFAULT_PROMPTS = {s.name: s.prompt for s in _default_slots()}


def conversation_language(text: str, previous: str | None) -> str:
    """The language to answer `text` in: its own when it says enough to tell, else the conversation's.

    A bare answer ('Sarah Levin' after 'איך קוראים לך?', '10:00') keeps the conversation's language.
    """
    if len(_LETTERS.findall(text)) < 2 or (previous and len(text.split()) < 3):
        return previous or "he"
    return detect(text)


def template(templates: ReplyTemplates, key: str, lang: str | None) -> str:
    """The template `key` in `lang`: the tenant's own text, or the built-in translation of the default."""
    text: str = getattr(templates, key)
    if not lang or lang == "he" or lang not in _TEMPLATES:
        return text
    default = ReplyTemplates.model_fields[key].default
    return _TEMPLATES[lang].get(key, text) if text == default else text


def slot_prompt(spec: SlotSpec, lang: str | None) -> str:
    """The question that asks for a slot in `lang` (the built-in translation only of a default prompt)."""
    if not lang or lang == "he" or lang not in _PROMPTS or spec.prompt != _DEFAULT_PROMPTS.get(spec.name):
        return spec.prompt
    return _PROMPTS[lang].get(spec.name, spec.prompt)


def show_schedule(hours: OpeningHours, lang: str | None = "he") -> str:
    """A person's weekly hours as the reply says them ('ראשון 08:00–19:30; רביעי 16:00–20:30'), Sunday first."""
    lang = lang if lang in _DAYS else "he"
    parts = []
    for weekday in (6, 0, 1, 2, 3, 4, 5):
        spans = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in hours.intervals(weekday))
        if spans:
            parts.append(f"{_DAYS[lang][weekday]} {spans}")
    return "; ".join(parts)


def show_day_hours(when: datetime, hours: OpeningHours, closed: bool, lang: str | None = "he") -> str:
    """The hours of `when`'s day ('ביום ראשון: 08:00–12:30, 16:00–19:00'), or that it is closed (`closed`: holiday).

    A time asked between two spans of a split day, or after a short day's close, is answered with the day's real
    hours, not only with the nearest open time.
    """
    lang = lang if lang in _DAYS else "he"
    spans = "" if closed else ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in hours.intervals(when.weekday()))
    open_, shut = _DAY_HOURS[lang]
    day = _DAYS[lang][when.weekday()]
    return open_.format(day=day, spans=spans) if spans else shut.format(day=day)


def show_when(iso: str, lang: str | None = "he") -> str:
    """A requested or proposed time as the reply says it ('יום שני 07.12 בשעה 10:00')."""
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    lang = lang if lang in _DAYS else "he"
    return _WHEN[lang].format(day=_DAYS[lang][at.weekday()], date=f"{at:%d.%m}", time=f"{at:%H:%M}")
