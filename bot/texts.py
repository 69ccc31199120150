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
                 "/remove 编号或标题 — 删除文档\n/audience 编号 名称 — 谁可以看到\n"
                 "/reload — 重新导入种子文件夹\n/stats — 统计\n"
                 "/unanswered — 未能回答的问题\n/synonym 年假 年休假 — 添加同义词"
                 "（/synonym 老板 &gt; 用人单位：单向）\n/synonyms — 同义词列表\n"
                 "/unsynonym 编号或词 — 删除同义词\n/taught — 已教过的问题\n"
                 "/forget 编号 — 删除教过的问题\n"
                 "• 员工点“🙋 问管理员”的问题会发给您：点“就是这段”或回复那条消息写答案，"
                 "提问者会收到答复，以后同样的问题直接回答。",
        "cmd_start": "开始", "cmd_help": "使用说明", "cmd_ask": "提问",
        "cmd_docs": "文档列表", "cmd_remove": "删除文档", "cmd_audience": "谁可以看到", "cmd_reload": "重新导入种子文件夹",
        "cmd_stats": "统计", "cmd_unanswered": "未能回答的问题", "cmd_synonym": "添加同义词",
        "cmd_synonyms": "同义词列表", "cmd_unsynonym": "删除同义词",
        "cmd_taught": "已教过的问题", "cmd_forget": "删除教过的问题",
        "taught_header": "已教过的问题（{n} 个）：",
        "taught_none": "还没有教过的问题。员工点“🙋 问管理员”后，在发给您的消息上点“就是这段”或回复答案即可。",
        "taught_written": "管理员答复（{date}）：{answer}",
        "taught_stale": "⚠️ 原文已不在资料中，不再用它回答：请重新教，或 /forget {id}",
        "taught_footer": "删除一个：<code>/forget 编号</code>",
        "forget_usage": "用法：<code>/forget 编号</code>（编号见 /taught）",
        "forgotten": "已删除教过的问题 #{id}：{question}\n下一个问题起不再用它回答。",
        "forget_none": "没有编号为 {id} 的教过的问题（见 /taught）",
        "full": "📄 全文",
        "full_link": "全文",
        "original": "📎 原文件",
        "original_gone": "这份文件的原件已不在资料库中。",
        "link_invalid": "这个链接已失效或不完整。请直接发问题给我，或发送 /help 查看用法。",
        "more": "➕ 更多结果",
        "see_also": "另见：",
        "open": "📄 {n}",
        "unsure": "我不太确定。猜你想问：",
        "alike": "《{first}》和《{second}》都有规定，说法可能不同，请看适用于您的那份：",
        "more_header": "更多结果：",
        "not_found": "抱歉，资料里没有找到与“{question}”相关的内容。",
        "searched": "我搜索了：{terms}",
        "searched_nothing": "问题里没有可以搜索的词。",
        "not_found_noted": "问题已记录，管理员会补充资料；也可以换个说法再问。",
        "not_found_escalate": "可以换个说法再问，或点“🙋 问管理员”请管理员回答。",
        "escalate": "🙋 问管理员",
        "escalated": "🙋 已转给管理员，答复后会回复在这里。",
        "escalated_toast": "已转给管理员",
        "already_escalated": "已经转给管理员了",
        "down_escalate": "谢谢反馈，我们会改进 👎 也可以点“🙋 问管理员”请管理员回答。",
        "card_header": "🙋 有人请管理员回答：",
        "card_asker": "👤 {name} · id <code>{id}</code>",
        "card_private": "📍 私聊",
        "card_group": "📍 群：{title}",
        "card_unanswered": "📋 未能回答的问题（{kind}，被问 {n} 次）；答复后记住，不通知提问者。",
        "kind_not_found": "未找到", "kind_suggestions": "只给了建议", "kind_unhelpful": "答案被点 👎",
        "card_closest": "最接近的段落：",
        "card_none": "资料里没有接近的段落。",
        "card_how": "点“就是这段”用该段答复，或回复这条消息写下答案。",
        "card_answered": "✅ 已由 {name} 答复",
        "this_one": "就是这段 {n}",
        "write": "✍️ 写答案",
        "write_prompt": "请回复这条消息，写下“{question}”的答案。",
        "write_placeholder": "答案",
        "answered": "✅ 已答复并记住",
        "answered_text": "✅ 已答复并记住：{question}",
        "taught_only": "✅ 已记住：{question}",
        "asker_unreachable": "✅ 已记住，但无法通知提问者（{reason}）。",
        "answered_by": "已由 {name} 答复",
        "answer_for_asker": "💬 管理员答复了您的问题“{question}”：",
        "admin_answer_label": "管理员答复",
        "escalation_gone": "这个问题已不存在。",
        "ref_gone": "这一段已不在资料库中，请写答案。",
        "answer_too_long": "答案太长（{n} 字），最多 {limit} 字。请缩短后再回复这条消息。",
        "admins_only": "抱歉，只有管理员可以答复。",
        "usage": "用法：<code>/ask 问题</code>，例如 <code>/ask 怎样为基层减负</code>",
        "refused": "抱歉，这个助手只供本单位员工使用。如需开通，请联系管理员。",
        "admin_only": "抱歉，这个命令只有管理员可以使用。",
        "upload_refused": "抱歉，只有管理员可以上传资料。",
        "thanks_up": "谢谢反馈 👍",
        "thanks_down": "谢谢反馈，我们会改进 👎",
        "thanks_done": "✓ 已收到反馈",
        "gone": "这段内容已不在资料库中。",
        "not_available": "这段内容不对您开放。",
        "in_private": "🔒 在私聊中查看",
        "in_private_note": "此文档仅限部分人员查看：",
        "who_can_see": "谁可以看到？",
        "everyone": "全员",
        "audience_set": "✅ {title}：{audience} 可以看到。",
        "audience_usage": "用法：<code>/audience 编号或标题 名称[,名称]</code>"
                          "（名称：全员 或 {names}；编号见 /docs）",
        "audience_unknown": "不认识的受众：{names}。可用：全员 {known}"
                            "（在 STAFFBOT_AUDIENCES 中设置）",
        "audience_none": "没有找到文档：{ref}",
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
                 "👍 {helpful}　👎 {unhelpful}{meaning}",
        "stats_meaning": "\n语义匹配：{embedded}/{paragraphs} 段已向量化",
        "embedding_later": "语义匹配：{count} 段正在后台向量化，完成前按字词匹配（/stats 查看进度）。",
        "no_unanswered": "目前没有未能回答的问题。",
        "unanswered_header": "未能回答的问题（按次数；教过的、已能回答的不再列出）：",
        "too_big": "文件 {name} 太大（{size}），上限是 {limit}。",
        "unsupported": "文件 {name} 的格式不支持；支持：{suffixes}。",
        "ingested": "✅ 已索引 {name}：{documents} 个文档，{paragraphs} 个段落。",
        "stale_taught": "⚠️ {count} 个已教过的问题对应的原文已不在资料中，暂不再用它回答，"
                        "请重新教（或 staffbot forget）：{questions}",
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
                 "/audience id name — who can see a document\n"
                 "/reload — re-ingest the seeds folder\n/stats — statistics\n"
                 "/unanswered — questions I could not answer\n"
                 "/synonym 年假 年休假 — add synonyms (/synonym 老板 &gt; 用人单位: one way)\n"
                 "/synonyms — list synonyms\n/unsynonym id or word — remove synonyms\n"
                 "/taught — taught questions\n/forget id — forget a taught question\n"
                 "• Questions sent with “🙋 Ask an admin” come to you: press “This one” or reply "
                 "to that message with the answer; the asker gets it, and the same question is "
                 "answered from then on.",
        "cmd_start": "Start", "cmd_help": "How to use the bot", "cmd_ask": "Ask a question",
        "cmd_docs": "Documents", "cmd_remove": "Remove a document",
        "cmd_audience": "Who can see a document",
        "cmd_reload": "Re-ingest the seeds folder", "cmd_stats": "Statistics",
        "cmd_unanswered": "Unanswered questions", "cmd_synonym": "Add synonyms",
        "cmd_synonyms": "Synonyms", "cmd_unsynonym": "Remove synonyms",
        "cmd_taught": "Taught questions", "cmd_forget": "Forget a taught question",
        "taught_header": "Taught questions ({n}):",
        "taught_none": "Nothing taught yet. When staff press “🙋 Ask an admin”, press “This one” "
                       "or reply with the answer on the message you get.",
        "taught_written": "Admin's answer ({date}): {answer}",
        "taught_stale": "⚠️ its passage is no longer in the documents, so it is not used: teach "
                        "it again, or /forget {id}",
        "taught_footer": "To forget one: <code>/forget id</code>",
        "forget_usage": "Usage: <code>/forget id</code> (ids are in /taught)",
        "forgotten": "Forgot taught question #{id}: {question}\nNot used from the next question on.",
        "forget_none": "No taught question has the id {id} (see /taught)",
        "full": "📄 Full paragraph",
        "full_link": "full text",
        "original": "📎 Original file",
        "original_gone": "The original of that file is no longer in the knowledge base.",
        "link_invalid": "That link has expired or is incomplete. Send me a question, or /help.",
        "more": "➕ More results",
        "see_also": "See also:",
        "open": "📄 {n}",
        "unsure": "I'm not sure. Did you mean:",
        "alike": "Both “{first}” and “{second}” have a rule on this, perhaps not the same: "
                 "see the one that applies to you:",
        "more_header": "More results:",
        "not_found": "Sorry, I found nothing about “{question}” in the documents.",
        "searched": "I searched for: {terms}",
        "searched_nothing": "The question has no words I could search for.",
        "not_found_noted": "The question has been noted for the admins; you could also try "
                           "other words.",
        "not_found_escalate": "Try other words, or press “🙋 Ask an admin” to have an admin "
                              "answer it.",
        "escalate": "🙋 Ask an admin",
        "escalated": "🙋 Sent to the admins; the answer will come here.",
        "escalated_toast": "Sent to the admins",
        "already_escalated": "Already sent to the admins",
        "down_escalate": "Thanks, we'll improve 👎 You can also press “🙋 Ask an admin”.",
        "card_header": "🙋 Someone asks the admins:",
        "card_asker": "👤 {name} · id <code>{id}</code>",
        "card_private": "📍 private chat",
        "card_group": "📍 group: {title}",
        "card_unanswered": "📋 Unanswered question ({kind}, asked {n} times); answering teaches "
                           "it, nobody is notified.",
        "kind_not_found": "not found", "kind_suggestions": "only suggestions",
        "kind_unhelpful": "answer voted 👎",
        "card_closest": "Closest passages:",
        "card_none": "No passage comes close.",
        "card_how": "Press “This one” to answer with that passage, or reply to this message "
                    "with the answer.",
        "card_answered": "✅ Answered by {name}",
        "this_one": "This one {n}",
        "write": "✍️ Write the answer",
        "write_prompt": "Reply to this message with the answer to “{question}”.",
        "write_placeholder": "Answer",
        "answered": "✅ Answered and learned",
        "answered_text": "✅ Answered and learned: {question}",
        "taught_only": "✅ Learned: {question}",
        "asker_unreachable": "✅ Learned, but the asker could not be told ({reason}).",
        "answered_by": "Already answered by {name}",
        "answer_for_asker": "💬 An admin answered your question “{question}”:",
        "admin_answer_label": "管理员答复",
        "escalation_gone": "That question no longer exists.",
        "ref_gone": "That passage is no longer in the knowledge base; please write the answer.",
        "answer_too_long": "The answer is too long ({n} characters; at most {limit}). Please "
                           "shorten it and reply again.",
        "admins_only": "Sorry, only admins can answer.",
        "usage": "Usage: <code>/ask question</code>, e.g. <code>/ask 怎样为基层减负</code>",
        "refused": "Sorry, this assistant is for staff only. Please contact an admin for access.",
        "admin_only": "Sorry, only admins can use this command.",
        "upload_refused": "Sorry, only admins can upload documents.",
        "thanks_up": "Thanks for the feedback 👍",
        "thanks_down": "Thanks, we'll improve 👎",
        "thanks_done": "✓ Feedback received",
        "gone": "That paragraph is no longer in the knowledge base.",
        "not_available": "That paragraph is not available to you.",
        "in_private": "🔒 View in private chat",
        "in_private_note": "This document is for some people only:",
        "who_can_see": "Who can see it?",
        "everyone": "Everyone (全员)",
        "audience_set": "✅ {title}: visible to {audience}.",
        "audience_usage": "Usage: <code>/audience id-or-title NAME[,NAME]</code> (NAME: 全员 or "
                          "{names}; ids are in /docs)",
        "audience_unknown": "Unknown audience: {names}. Known: 全员 {known} (set in "
                            "STAFFBOT_AUDIENCES)",
        "audience_none": "No document matches: {ref}",
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
                 "Suggestions: {suggested}\nNot found: {not_found}\n👍 {helpful}  👎 {unhelpful}"
                 "{meaning}",
        "stats_meaning": "\nMatching by meaning: {embedded} of {paragraphs} paragraphs embedded",
        "embedding_later": "Matching by meaning: {count} paragraphs are being embedded in the "
                           "background; until then they are matched by their words (/stats "
                           "shows how far).",
        "no_unanswered": "No unanswered questions so far.",
        "unanswered_header": "Unanswered questions (most frequent first; taught ones and those "
                             "answered since are not listed):",
        "too_big": "{name} is too big ({size}); the limit is {limit}.",
        "unsupported": "{name}: this file type is not supported; supported: {suffixes}.",
        "ingested": "✅ Indexed {name}: {documents} document(s), {paragraphs} paragraph(s).",
        "stale_taught": "⚠️ {count} taught question(s) point at text no longer in any document "
                        "and are not answered from until taught again (or forgotten): "
                        "{questions}",
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
