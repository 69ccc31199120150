"""What the bot says, in Chinese and English: the message templates (HTML) and the choice of
language. :mod:`bot.render` fills them in; nothing here knows about answers or Telegram objects."""

from __future__ import annotations

__all__ = ["TEXTS", "lang_for", "text_for"]

TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "intro": "👋 我是员工问答助手：根据本单位的文件回答问题，并附上原文出处。",
        "how_private": "直接发给我一个问题即可，例如：\n• 怎样为基层减负？\n• 政绩观",
        "how_group": "在群里：发送 <code>/ask 问题</code>，或 <code>{mention} 问题</code>，"
                     "或回复我的消息。",
        "how_inline": "在任意聊天中输入 <code>{mention} 关键词</code>，可以直接引用资料。",
        "commands": "命令：\n/ask 问题 — 提问\n/help — 使用说明\n/start — 重新开始",
        "admin": "管理员：\n• 发送文件（{suffixes}）即加入资料库\n/docs — 文档列表\n"
                 "/remove 编号或标题 — 删除文档\n/reload — 重新导入种子文件夹\n/stats — 统计\n"
                 "/unanswered — 未能回答的问题\n/synonym 年假 年休假 — 添加同义词"
                 "（/synonym 老板 &gt; 用人单位：单向）\n/synonyms — 同义词列表\n"
                 "/unsynonym 编号或词 — 删除同义词",
        "full": "📄 全文",
        "more": "➕ 更多结果",
        "see_also": "另见：",
        "open": "📄 {n}",
        "unsure": "我不太确定，您是想问：",
        "more_header": "更多结果：",
        "not_found": "抱歉，资料里没有找到与“{question}”相关的内容。\n"
                     "问题已记录，管理员会补充资料；也可以换个说法再问。",
        "usage": "用法：<code>/ask 问题</code>，例如 <code>/ask 怎样为基层减负</code>",
        "refused": "抱歉，这个助手只供本单位员工使用。如需开通，请联系管理员。",
        "admin_only": "抱歉，这个命令只有管理员可以使用。",
        "upload_refused": "抱歉，只有管理员可以上传资料。",
        "thanks_up": "谢谢反馈 👍",
        "thanks_down": "谢谢反馈，我们会改进 👎",
        "thanks_done": "✓ 已收到反馈",
        "gone": "这段内容已不在资料库中。",
        "expired": "这些结果已过期，请重新提问。",
        "inline_button": "如何使用这个助手",
        "inline_refused": "仅限员工使用",
        "error": "抱歉，处理时出错了，请稍后再试。",
        "unknown_command": "不认识这个命令。发送 /help 查看用法。",
        "no_docs": "资料库是空的。",
        "docs_header": "资料库中的文档（{n}）：",
        "remove_usage": "用法：<code>/remove 编号或标题</code>（编号见 /docs）",
        "removed": "已删除 {n} 个文档：{ref}",
        "remove_none": "没有找到文档：{ref}",
        "synonym_usage": "用法：<code>/synonym 年假 年休假</code>（至少两个不同的词，用空格分开）；"
                         "单向：<code>/synonym 老板 &gt; 用人单位</code>（左边的词扩展到右边的词，反之不然）",
        "synonym_added": "✅ 已添加同义词 #{id}：{group}\n下一个问题起生效。",
        "synonyms_header": "管理员添加的同义词（{n} 组；另有内置词表 {shipped} 组）：",
        "synonyms_none": "还没有。用 <code>/synonym 年假 年休假</code> 添加。",
        "unsynonym_usage": "用法：<code>/unsynonym 编号或词</code>（编号见 /synonyms）",
        "synonym_removed": "已删除 {n} 组同义词：{ref}",
        "synonym_none": "没有管理员添加的同义词：{ref}（内置词表在文件里，不在这里删除）",
        "reloading": "正在重新导入 {path} …",
        "no_seeds": "种子文件夹不存在：{path}",
        "stats": "📊 统计\n文档：{documents}　段落：{paragraphs}\n提问：{questions}\n"
                 "已回答：{answered}（{share}）\n给出建议：{suggested}\n未找到：{not_found}\n"
                 "👍 {helpful}　👎 {unhelpful}",
        "no_unanswered": "目前没有未能回答的问题。",
        "unanswered_header": "未能回答的问题（按次数）：",
        "too_big": "文件 {name} 太大（{size}），上限是 {limit}。",
        "unsupported": "文件 {name} 的格式不支持；支持：{suffixes}。",
        "ingested": "✅ 已索引 {name}：{documents} 个文档，{paragraphs} 个段落。",
        "unchanged": "文件 {name} 与上次上传相同，无需更新。",
        "not_indexed": "❌ 未能索引 {name}：{reason}",
        "warnings": "注意：",
        "read": "读取：{facts}",
        "pages": "{n} 页", "ocr_pages": "其中 {n} 页为扫描件识别", "tables": "{n} 个表格（{rows} 行）",
        "lists": "{n} 个列表项", "numbered": "{n} 个自动编号已还原", "dropped": "已去除 {what} {n} 行",
    },
    "en": {
        "intro": "👋 I answer staff questions from the organisation's own documents, quoting "
                 "the source.",
        "how_private": "Just send me a question, for example:\n• 怎样为基层减负？\n• 政绩观",
        "how_group": "In groups: send <code>/ask question</code> or <code>{mention} question</code>, "
                     "or reply to one of my messages.",
        "how_inline": "In any chat, type <code>{mention} keywords</code> to quote the documents.",
        "commands": "Commands:\n/ask question — ask\n/help — how to use me\n/start — start over",
        "admin": "Admins:\n• send a file ({suffixes}) to add it to the knowledge base\n"
                 "/docs — list documents\n/remove id or title — remove a document\n"
                 "/reload — re-ingest the seeds folder\n/stats — statistics\n"
                 "/unanswered — questions I could not answer\n"
                 "/synonym 年假 年休假 — add synonyms (/synonym 老板 &gt; 用人单位: one way)\n"
                 "/synonyms — list synonyms\n/unsynonym id or word — remove synonyms",
        "full": "📄 Full paragraph",
        "more": "➕ More results",
        "see_also": "See also:",
        "open": "📄 {n}",
        "unsure": "I'm not sure; did you mean:",
        "more_header": "More results:",
        "not_found": "Sorry, I found nothing about “{question}” in the documents.\n"
                     "The question has been noted for the admins; you could also try other words.",
        "usage": "Usage: <code>/ask question</code>, e.g. <code>/ask 怎样为基层减负</code>",
        "refused": "Sorry, this assistant is for staff only. Please contact an admin for access.",
        "admin_only": "Sorry, only admins can use this command.",
        "upload_refused": "Sorry, only admins can upload documents.",
        "thanks_up": "Thanks for the feedback 👍",
        "thanks_down": "Thanks, we'll improve 👎",
        "thanks_done": "✓ Feedback received",
        "gone": "That paragraph is no longer in the knowledge base.",
        "expired": "These results have expired; please ask again.",
        "inline_button": "How to use this assistant",
        "inline_refused": "Staff only",
        "error": "Sorry, something went wrong; please try again later.",
        "unknown_command": "Unknown command. Send /help to see how to use me.",
        "no_docs": "The knowledge base is empty.",
        "docs_header": "Documents in the knowledge base ({n}):",
        "remove_usage": "Usage: <code>/remove id or title</code> (ids are in /docs)",
        "removed": "Removed {n} document(s): {ref}",
        "remove_none": "No document matches: {ref}",
        "synonym_usage": "Usage: <code>/synonym 年假 年休假</code> (two or more different words, "
                         "separated by spaces); one way: <code>/synonym 老板 &gt; 用人单位</code> "
                         "(the left word expands to the right ones, not back)",
        "synonym_added": "✅ Added synonyms #{id}: {group}\nUsed from the next question on.",
        "synonyms_header": "Synonyms added by admins ({n} groups; the built-in thesaurus has "
                           "{shipped} more):",
        "synonyms_none": "None yet. Add some with <code>/synonym 年假 年休假</code>.",
        "unsynonym_usage": "Usage: <code>/unsynonym id or word</code> (ids are in /synonyms)",
        "synonym_removed": "Removed {n} synonym group(s): {ref}",
        "synonym_none": "No admin synonym group matches: {ref} (the built-in thesaurus is a file "
                        "and is not changed here)",
        "reloading": "Re-ingesting {path} …",
        "no_seeds": "The seeds folder does not exist: {path}",
        "stats": "📊 Statistics\nDocuments: {documents}  Paragraphs: {paragraphs}\n"
                 "Questions: {questions}\nAnswered: {answered} ({share})\n"
                 "Suggestions: {suggested}\nNot found: {not_found}\n👍 {helpful}  👎 {unhelpful}",
        "no_unanswered": "No unanswered questions so far.",
        "unanswered_header": "Unanswered questions (most frequent first):",
        "too_big": "{name} is too big ({size}); the limit is {limit}.",
        "unsupported": "{name}: this file type is not supported; supported: {suffixes}.",
        "ingested": "✅ Indexed {name}: {documents} document(s), {paragraphs} paragraph(s).",
        "unchanged": "{name} is the same as the last upload; nothing to update.",
        "not_indexed": "❌ Could not index {name}: {reason}",
        "warnings": "Warnings:",
        "read": "Read: {facts}",
        "pages": "{n} pages", "ocr_pages": "{n} of them by OCR", "tables": "{n} tables ({rows} rows)",
        "lists": "{n} list items", "numbered": "{n} automatic numbers rendered",
        "dropped": "{n} {what} dropped",
    },
}


def lang_for(language_code: str | None) -> str:
    """Chinese unless the user's Telegram language is set and is not Chinese."""
    if not language_code or language_code.lower().startswith("zh"):
        return "zh"
    return "en"


def text_for(lang: str, key: str, **values: object) -> str:
    """A message template (HTML) in ``lang``, formatted with already-escaped ``values``."""
    template = TEXTS.get(lang, TEXTS["zh"])[key]
    return template.format(**values) if values else template


# -- HTML ----------------------------------------------------------------------------------------------
