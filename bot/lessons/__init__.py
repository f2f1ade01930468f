"""Lessons: the frozen lesson model and the loader/validator for content/lessons."""

from bot.lessons.loader import ContentError, load_curriculum
from bot.lessons.model import Card, Curriculum, Lesson, Question

__all__ = ["Card", "ContentError", "Curriculum", "Lesson", "Question", "load_curriculum"]
