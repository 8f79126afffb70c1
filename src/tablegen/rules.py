"""The rules tablegen reports, one registry: id, severity, title, description, what fmt does.

Every finding names its rule object (`report.add(pos, rules.BUDGET_SUM, message)`), which
decides how bad it is; `fmt` and `diff` read `fixable` and `readable` from here; the user guide
makes one page per rule from `RULES` (docs/hooks.py); a test checks that every rule has a
fixture or a test that makes it fire. Titles and descriptions are Chinese, for budget
officers; a description is Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
# The review points of a target review (绩效目标审核), as the finance bureau reviews a target
# table: 完整性、相关性、适当性、可行性 (财政部《中央部门预算绩效目标管理办法》财预〔2015〕88号,
# 绩效目标审核的内容), and 规范性 for the form (事前绩效评估表：“绩效目标填报格式规范”).
COMPLETENESS, RELEVANCE, APPROPRIATENESS, FEASIBILITY, CONFORMITY = (
    "完整性", "相关性", "适当性", "可行性", "规范性")
POINTS = (COMPLETENESS, RELEVANCE, APPROPRIATENESS, FEASIBILITY, CONFORMITY)


@dataclass(frozen=True)
class Rule:
    """One rule: its id as printed (`error[budget-sum]`), how bad, what it finds and how to fix it."""

    id: str
    severity: str  # ERROR | WARNING (`check --strict` makes every warning an error)
    title: str
    description: str
    fixable: bool = False  # `tablegen fmt` writes the file in a form that no longer has it
    # The file still reads completely as data (`fmt` formats it, `diff` compares it): a budget
    # that does not add up is still every character of the budget.
    readable: bool = False
    # `tablegen review` only: the review point (审核要点) a finding belongs to, and the points it
    # takes off that review point of the project's grade (review/review.yaml weighs the points).
    point: str = ""
    deduct: int = 0


# Reading the files
PATH_MISSING = Rule("path-missing", ERROR, "路径不存在",
    "命令行给出的文件或文件夹不存在（比如在错误的文件夹里运行了命令，或路径有错字）。"
    "请检查路径；在表格仓库的根文件夹里运行时，不给路径就是 `targets/`。")
FILE_UNREADABLE = Rule("file-unreadable", ERROR, "文件无法读取",
    "文件存在但读不出来：没有读取权限、符号链接形成了循环、文件名含有空字符等。"
    "消息会说明原因（如 `无法读取文件：符号链接形成了循环`）。请修正文件的权限或链接。")
FILE_OUTSIDE = Rule("file-outside", ERROR, "文件指向书文件夹以外",
    "文件是一个链接，指向本书文件夹以外的地方（例如 `book.yaml` 链接到 `/etc/passwd`）。"
    "tablegen 只读取书文件夹内的文件，这样的文件一律拒绝、不读取。"
    "请把真正的文件放进书文件夹。")
NOT_A_FILE = Rule("not-a-file", ERROR, "不是普通文件",
    "需要 YAML 文件的地方是一个文件夹、设备（如 `/dev/zero`）或管道。tablegen 不读取它，"
    "以免卡住或读入无穷的数据。请换成普通的 YAML 文件。")
FILE_TOO_LARGE = Rule("file-too-large", ERROR, "文件过大",
    "文件超过 1 MiB（1048576 字节）。一个项目文件通常只有几 KB；按读到的字节计算，"
    "文件在读取时变大也会在上限处停下。请检查是否误放了别的文件，或把内容拆成几个项目。")
ENCODING = Rule("encoding", ERROR, "不是 UTF-8 编码",
    "文件不是 UTF-8 编码（常见于用记事本以 GBK/ANSI 保存的文件）。消息指出第一个无法解码的"
    "字节所在的行和列。请在编辑器中选择“以 UTF-8 编码另存”；带 BOM 的 UTF-8 也可以。")
INVISIBLE_CHAR = Rule("invisible-char", ERROR, "看不见的格式字符",
    "文本中有看不见的格式字符（Unicode Cf 类）：双向控制符（如 U+202E 会让 `≥\\u202e次21` "
    "显示成 `≥12次`）、零宽字符（U+200B–U+200D、U+2060、U+FEFF）、软连字符（U+00AD）。"
    "显示出来的文字与实际内容不同，审阅人会被误导。`tablegen fmt` 删除那些删掉后显示不变的"
    "字符；双向控制符留给作者处理，因为删掉它会改变读者看到的文字。消息把这些字符显示为 "
    "`\\u202e` 的形式。两个表情符号之间的零宽连接符不算。")
CONTROL_CHAR = Rule("control-char", ERROR, "不可见的控制字符",
    "文本中有 DOCX/XML 无法保存的控制字符，或者有行分隔符（U+0085、U+2028、U+2029）："
    "YAML 把它们读作换行，编辑器却显示在同一行，读出的内容会与看到的不同（一条注释可能"
    "藏住一个键）。这些字符通常来自从网页或 PDF 复制的文字。请删除它，或换成普通换行；"
    "引号里的 U+2028、U+2029 按原样保留。")
# YAML syntax
YAML_SYNTAX = Rule("yaml-syntax", ERROR, "YAML 语法错误",
    "文件不是合法的 YAML。位置指向问题开始的地方（未闭合的引号指向开头的引号，"
    "应为映射处出现的列表指向第一个 `- `），同时说明读取在哪一行停下，并给出可能的原因："
    "引号未闭合、缩进不一致、使用了制表符（Tab）、用了全角冒号 `：`。"
    "YAML 的键和值之间要用半角冒号加空格（`name: 项目名称`），缩进只用空格。")
UNQUOTED_SIGN = Rule("unquoted-sign", ERROR, "以 >= 开头的值没有加引号",
    "`value: >=98%` 不是合法的 YAML：没有引号时 `>` 是折叠文本的标记，编辑器和其他工具"
    "无法读取此文件。请写成 `value: ≥98%` 或 `value: \">=98%\"`（`<=40万元` 可以不加引号）。"
    "`tablegen fmt` 会自动改为 `≥`。", fixable=True)
UNSAFE_TAG = Rule("unsafe-tag", ERROR, "不允许的 YAML 标签",
    "文件中有 YAML 标签，如 `!!python/object` 或 `!custom`。tablegen 只接受普通文本、列表和"
    "映射，带标签的文件不会被执行或解释。请删除标签。")
YAML_ALIAS = Rule("yaml-alias", ERROR, "不支持 YAML 别名",
    "文件中有 YAML 别名（`*名称`，引用前面用 `&名称` 标记的内容）。别名会让一小段文字展开成"
    "极大的数据（“十亿笑声”攻击），所以在第一个别名处就拒绝。请把内容直接写出来。")
DUPLICATE_KEY = Rule("duplicate-key", ERROR, "重复的键",
    "同一个映射里同一个键出现了两次（例如一个指标写了两个 `value:`）。消息说明第一次出现在"
    "哪一行。请删掉多余的一个。")
# Structure
UNKNOWN_KEY = Rule("unknown-key", ERROR, "未知的键",
    "文件格式中没有这个键，常见于拼写错误。消息会给出最接近的写法："
    "`未知的键“vaule”，是否想写“value”？`；没有接近的写法时列出可用的键。"
    "各个键见“填写”一章。")
MISSING_FIELD = Rule("missing-field", ERROR, "缺少必填项",
    "缺少必须填写的键，例如项目文件没有 `name`，或一个指标行没有 `value`。消息写明缺少的键"
    "和它的中文名称（`缺少必填项“value”（指标值）`）。键名拼错时，同时会有一条 "
    "`unknown-key`。")
WRONG_TYPE = Rule("wrong-type", ERROR, "类型不对",
    "值的种类不对，例如需要列表的地方写了一段文本：`goals` 的每条目标要以 `- ` 开头。"
    "消息写明应为什么、实际是什么（`应为列表（绩效目标，每项以“- ”开头），实际为文本…`）。")
EMPTY_TEXT = Rule("empty-text", ERROR, "必填的文本为空",
    "项目名称、指标名称、指标值、绩效目标、单位编码或预算数是空的（包括 `total:` 后面什么都"
    "不写或写 `~`）。请填写内容；财政资金、其他资金可以留空，留空时打印为空白。")
EMPTY_GROUP = Rule("empty-group", ERROR, "空的分组",
    "一级指标下没有二级指标、二级指标下没有三级指标、`indicators` 里什么都没有，或者书中"
    "没有任何单位。请补上内容，或删除空的分组。原表按官方模板印出空的二级指标行（如湘潭 2023 年的表"
    "在“经济效益指标”等下面留空）时，选用印空行的版式（`empty_level2: true`，如 `layout: "
    "hunan-xiangtan`），空的二级指标写作 `经济效益指标: []`。", readable=True)
INVALID_CHOICE = Rule("invalid-choice", ERROR, "不在可选值之中",
    "`money_unit`（元 | 千元 | 万元）、`frame`（classic | cost-first | legacy，或本书 `frames` "
    "中、仓库 `templates/targets/frames/` 中的框架）、`merge`（level1 | level1+level2 | none）、"
    "`decimals`（0 至 6）、`scoring` 或 `grade`（达成 | 部分达成 | 未达成）的值不是"
    "可选值之一。消息列出可选值，并提示最接近的写法。")
YEAR_RANGE = Rule("year-range", ERROR, "预算年度超出范围",
    "`year` 不在 2000 至 2099 之间。请写四位数的预算年度，如 `year: 2025`。")
LAYOUT = Rule("layout", ERROR, "版式有误",
    "`book.yaml` 的 `layout` 指向的版式找不到，或版式文件（`templates/targets/layouts/<名称>.yaml`）"
    "写得不对：缺少 `title`、`head` 或 `grid`，一行的单元格占的列数与 `head.widths` 不符，"
    "`field` 不是可用的内容，网格的前两列不是一级指标和二级指标等。部门整体表的版式文件"
    "（`templates/overall/layouts/<名称>.yaml`，由 `overall_layout` 选用）也一样：缺少 `title`，"
    "`blocks` 中有未知的或重复的部分，`base` 不是内置的版式，标签中用了不认识的 `{…}` 等。"
    "消息指出版式文件中的行和列。版式的写法见“版式”和“部门整体”两章。")
UNPRINTED = Rule("unprinted", WARNING, "版式不印的数据",
    "项目写了本书的版式不印的内容：实施期指标值（`period_value`）、实施期目标（`period_goals`）、"
    "项目实施期（`period`）或接收方（`recipients`）。数据留在文件里，但文档中看不到；"
    "请在 `book.yaml` 中选用有这些行或列的版式（如 `layout: period`），或删去这些内容。")
# Amounts
AMOUNT_INVALID = Rule("amount-invalid", ERROR, "金额不是数字",
    "金额不是数字，例如 `四十`、`40万`。只接受半角数字 0-9 和小数点：`+5`、全角的 `４０`、"
    "阿拉伯文数字 `٤٠` 都会被拒绝并给出提示（它们在文档里看起来没问题，导入预算系统时"
    "却会出错）。金额的单位由 `book.yaml` 的 `money_unit` 统一规定，不要写在数字后面。")
AMOUNT_NEGATIVE = Rule("amount-negative", ERROR, "金额为负数",
    "金额不能为负数。`-0.00` 按 0.00 处理，不算负数。", readable=True)
AMOUNT_PRECISION = Rule("amount-precision", ERROR, "金额的小数位数过多",
    "金额的小数位数超过了书的 `decimals`（缺省两位：`40.005` 不行）。tablegen 从不悄悄舍入："
    "请按实际金额写（以书的金额单位计）。原表的金额本来就有更多位小数（以万元为单位写到元："
    "`968.1918`）时，在 `book.yaml` 中写 `decimals: 4`，每个金额就都按四位小数校验和印出。"
    "自评的执行数据（`execution:` 中的年初预算数、全年预算数、全年执行数）照会计账簿的写法，"
    "最多四位小数（如 `89.974` 万元），自评表按所写的位数印出。")
BUDGET_SUM = Rule("budget-sum", ERROR, "预算数不等于资金来源之和",
    "预算数 ≠ 财政资金 + 其他资金，例如 "
    "`预算数 10.00 不等于 财政资金 6.00 + 其他资金 3.00 = 9.00`。"
    "计算是精确的十进制运算，不会有舍入误差。财政资金和其他资金都留空时不检查。", readable=True)
# Indicators
UNKNOWN_LEVEL1 = Rule("unknown-level1", ERROR, "一级指标不在指标框架中",
    "一级指标的名称不在本书 `frame` 规定的指标框架中（常见于错字或多了空格）。"
    "消息提示最接近的名称或列出可用的一级指标。各框架见“填写”一章。", readable=True)
UNKNOWN_LEVEL2 = Rule("unknown-level2", ERROR, "二级指标不属于该一级指标",
    "二级指标不在指标框架中，或者放在了别的一级指标下面。消息写明它应属于哪个一级指标，"
    "并列出当前一级指标下可用的二级指标。", readable=True)
COST_CAP = Rule("cost-cap", ERROR, "成本指标超过预算数",
    "成本指标（`成本指标`、`经济成本指标` 等）中以 `≤` 或 `<` 给出的上限，单位为元、千元、"
    "万元或亿元，换算后超过了项目的预算数，例如预算 10.00 万元的项目写了 `≤20万元`。"
    "请核对指标值或预算数。", readable=True)
PERCENT_OVER_100 = Rule("percent-over-100", ERROR, "百分比超过 100",
    "满意度指标的值，或名称以“率”结尾的指标的值，超过了 100%（如 `120%`）。"
    "请核对指标值。", readable=True)
SATISFACTION_UNIT = Rule("satisfaction-unit", WARNING, "满意度指标值没有单位",
    "满意度指标值只有数字没有单位，如 `≥90`。请写明单位，如 `≥90%`。")
NO_SATISFACTION = Rule("no-satisfaction", WARNING, "项目没有满意度指标",
    "项目中没有任何满意度指标（三个指标框架都设有满意度指标：classic、cost-first 的一级"
    "“满意度指标”，legacy 的二级“社会公众或服务对象满意度指标”）。请补上；原表确实没有时，"
    "这条警告会一直显示，`check --strict`（`make test`）会把它当作错误。")
DATE_RANGE = Rule("date-range", WARNING, "时效指标的年份不合理",
    "时效指标中的年份早于预算年度，或晚于预算年度三年以上，例如 2024 年的书写了 "
    "`2030年12月31日前`。常见于沿用上一年的表格时忘了改年份（`tablegen rollover` 会自动顺延）。")
# The book
PROJECT_MISSING = Rule("project-missing", ERROR, "列出的项目文件不存在",
    "`book.yaml` 列出的项目文件不存在，或者不在本书文件夹内（也包括名称过长、含有空字符、"
    "链接循环）。请检查文件名（包括“年”“（）”等全角字符）是否与文件夹里的文件完全一致。")
PROJECT_DUPLICATE = Rule("project-duplicate", ERROR, "项目文件被重复列出",
    "同一个项目文件在 `book.yaml` 中列出了两次。消息说明第一次列出在哪一行。请删除重复的一行。")
NAME_DUPLICATE = Rule("name-duplicate", ERROR, "项目名称重复",
    "一本书中两个项目的项目名称（`name`）相同（按印出的样子比较：`测试项目` 与夹着零宽字符的 "
    "`测试\\u200b项目` 算同一个名称）。标题“N.项目名称绩效目标表”和目录会无法区分，"
    "请修改其中一个。")
UNLISTED_FILE = Rule("unlisted-file", WARNING, "YAML 文件没有被列出",
    "书文件夹中有一个 YAML 文件，但 `book.yaml` 的任何单位都没有列出它，所以它不会进入文档。"
    "请把它加入相应单位的 `projects`，或者删除它（`tablegen new` 新建的项目会自动列出）。")
NO_PROJECTS = Rule("no-projects", WARNING, "单位还没有项目",
    "`book.yaml` 中某个单位的 `projects:` 是空的。用 `tablegen new` 添加项目。")
# Texts
WHITESPACE = Rule("whitespace", WARNING, "文本首尾有空白",
    "文本开头或结尾有空格或制表符（常见于从 Word 或 Excel 复制来的文字），例如 "
    "`信息系统漏洞处置率 `。删除多余的空白即可。")
PLACEHOLDER = Rule("placeholder", WARNING, "尚未填写",
    "文本中还有 `tablegen new` 预填的占位文字“请填写…”（`请填写三级指标`、`请填写指标值`），"
    "或者预算数还是 `tablegen new` 写下的 0.00（没有预算为零的项目支出）。"
    "请换成实际内容，或删除不需要的行；`check --strict`（即 `make test`）在占位文字全部"
    "替换、预算数填写之前不会通过。")
ENCODING_DAMAGE = Rule("encoding-damage", WARNING, "疑似编码损坏",
    "文本中有 `？` 或 `�`，这通常是复制或转换时丢失的字（如 `天津市志？知识产权局志`）。"
    "请对照原件改正。")
GLYPH_MISSING = Rule("glyph-missing", WARNING, "字体中没有这个字",
    "文本中有生僻字（CJK 扩展区的字，如 𠀀 U+20000），tablegen 自带的字体无法显示，"
    "PDF 中会显示为方框。请改用常用字，或者安装包含此字的字体。")
TEXT_TOO_LONG = Rule("text-too-long", WARNING, "文本过长",
    "文本超过 32767 个字符，这是 XLSX 一个单元格能容纳的上限，XLSX 中会被截断。"
    "请精简文字。")
# 自评 (execution data)
ACTUAL_MISSING = Rule("actual-missing", ERROR, "缺少实际完成值",
    "项目已有 `execution:`（要做自评），但某个定量指标（如 `≥98%`、`1个`）没有填写 "
    "`actual:`。请填写实际完成值。")
ACTUAL_UNIT = Rule("actual-unit", ERROR, "实际完成值的单位与指标值不同",
    "实际完成值的单位与指标值的单位不同，无法比较，例如指标值 `≥98%`、实际完成值 `30个`。"
    "`%`、`％`、`百分比` 视为同一单位；元、千元、万元、亿元之间会自动换算。")
ACTUAL_KIND = Rule("actual-kind", ERROR, "定量指标的实际完成值不是数字",
    "定量指标的实际完成值应为数字和单位（如 `97.5%`），实际写的是一段文字；或者定量指标"
    "填写了 `grade`/`score`。定量指标的得分按实际完成值计算，不填写完成等级或得分。")
GRADE_MISSING = Rule("grade-missing", ERROR, "定性指标缺少完成等级",
    "要做自评的项目中，某个定性指标（如 `有效提升`）既没有 `grade:`（达成 | 部分达成 | 未达成）"
    "也没有 `score:`（直接给出得分）。请填写其中一个。")
SCORE_OVER_WEIGHT = Rule("score-over-weight", ERROR, "得分超过分值",
    "直接填写的 `score:` 超过了该指标的分值。请核对得分。")
WEIGHT_SUM = Rule("weight-sum", ERROR, "分值合计不符",
    "一个一级指标下各行 `weight:` 的合计与评分方案中该一级指标的分值不符（超过，或者每行都"
    "写了分值却加起来不等），或者评分方案中没有这个一级指标。没有写 `weight:` 的行平分剩下"
    "的分值。")
FULL_MARKS = Rule("full-marks", ERROR, "总分达不到满分",
    "已自评的项目缺少评分方案中的某个一级指标（比如没有效益指标），它的总分最高只能到 70，"
    "一个全部达标的项目也只能评为“中”。请补上这个一级指标，或在 book.yaml 中用 `scoring:` "
    "选择与指标框架相符的评分方案（不写时评分方案跟随 `frame:`）。")
EXECUTION_SUM = Rule("execution-sum", ERROR, "资金来源合计不符",
    "项目资金的其中各行（本年财政拨款 + 上年结转资金 + 其他资金）与年度资金总额不符：逐列"
    "核对年初预算数（按印出的数）、全年预算数和全年执行数。请核对执行数据。")
OVERSPENT = Rule("overspent", ERROR, "执行数超过预算数",
    "全年执行数超过了全年预算数（总额，或某一资金来源）。请核对执行数据。")
DEVIATION_MISSING = Rule("deviation-missing", WARNING, "缺少偏差原因",
    "某个指标得分低于分值，或者实际完成值超出 ≥/≤ 指标值 30% 以上（指标值可能定得过低），"
    "却没有填写 `deviation:`（偏差原因分析及改进措施）。请说明原因。何时要求说明由评分方案决定"
    "（`deviation`）；评分方案还可以要求预算执行率低于某个百分数时说明原因（如四川：低于 90%），"
    "写在 `execution.deviation:`。")
WEIGHT_ZERO = Rule("weight-zero", WARNING, "指标分值为 0",
    "已自评的指标分值为 0：同一一级指标下其他行的 `weight:` 已经占满了这个一级指标的分值，"
    "这个指标没有完成也不扣分。请给它分一些分值，或说明为什么不计分。")
ACTUAL_OUTLIER = Rule("actual-outlier", WARNING, "实际完成值异常大",
    "实际完成值是指标值的 1000 倍以上，多半是多打了几位数或写错了单位。请核对；任何长度的"
    "数字都能准确计算，不会出现内部错误。")
TARGET_UNSIGNED = Rule("target-unsigned", WARNING, "指标值没有符号",
    "要自评的定量指标值没有写符号（`90%`、`2100`、`3500公斤`），无法从指标值看出是下限、上限还是"
    "要求相等。评分方案按自己的规则读它：通用方案读作下限 `≥`（达到或超过即得满分，这也是已公开的"
    "自评表的算法），成本指标和时限（天、小时、分钟等单位）读作上限 `≤`。消息说明这个指标值被读作"
    "什么。请在指标值前写明符号（`≥90%`、`≤30天`、`＝100%`），得分就不再取决于评分方案的读法。")
ACTUAL_READ = Rule("actual-read", WARNING, "实际完成值不是数，按评分方案读取",
    "定量指标（如 `≤90万元`）的实际完成值写的是“完成”“已完成”“达成预期指标”这样的话，而不是数。"
    "评分方案把它视为达到指标值、得满分（公开的自评表这样计分，如大英县 2023 年），并用这条警告"
    "说明。请写出实际完成的数（如 `85万元`），得分才能反映实际完成情况。评分方案的 `done: refuse` "
    "让这种写法成为错误（`actual-kind`）。")
SCORE_BAND = Rule("score-band", ERROR, "得分不在完成等级的区间内",
    "评分方案给定性指标的完成等级规定了得分区间（如中央和安徽的自评表：达成 100%–80%、部分达成 "
    "80%–60%、未达成 60%–0% 的分值）。这条规则在两种情况下报告：填写的 `score:` 不在 `grade:` "
    "的区间内；或者只写了 `grade:`，而评分方案中这个等级没有固定得分，需要评价人在区间内确定得分。"
    "请在区间内填写 `score:`。")
SCORE_OVERRIDE = Rule("score-override", ERROR, "调整得分没有写理由",
    "评分方案允许调整定量指标的得分（如 `tianjin`：预算系统算出得分，单位可以修改并说明理由），"
    "但调整了得分（`score:`）却没有写 `score_reason:`；或者写了 `score_reason:` 却没有调整后的得分。"
    "理由印在自评表该行的偏差原因分析及改进措施一栏。")
EXECUTION_ZERO = Rule("execution-zero", WARNING, "预算数为 0，执行率无从计算",
    "计算预算执行率的分母（全年预算数，或评分方案指定的年初预算数）为 0。执行率无从计算，"
    "评分方案按 `rate.zero` 计分（通用方案计为 0%、得 0 分，与已公开的自评表相同）。请核对执行数据。")
SCHEME_INVALID = Rule("scheme-invalid", ERROR, "评分方案有误",
    "book.yaml 的 `scoring:` 写成了本书自己的评分方案（一个映射），其中某个键不认识、某个值不合要求，"
    "或者分值合计不是 100。消息指出键的路径和应写的内容。可用的键见“自评”一章的“本书自己的"
    "评分方案”。")
SCHEME_NOTE = Rule("scheme-note", WARNING, "注与本书的评分方案不符",
    "本书自己的评分方案（`scoring:` 的映射）改了注里用文字写明的规则——≤ 指标超出时的计分"
    "（`reverse`）、没有符号的指标值的读法（`unsigned`）、定性指标的完成等级（`grades`）或缺少"
    "一级指标时分值的并入（`move`），却没有写自己的注（`form.note`）：自评表下会印出基础方案的注，"
    "与实际的得分算法不符。请在 `form.note` 中写出本书的注（`{weights}` 处印出各一级指标的分值）。")
EXECUTION_EARLY = Rule("execution-early", WARNING, "预算年度尚未结束",
    "预算年度还没有结束（今年或以后的书），却已经填写了执行数据（`execution:`）。"
    "如果是提前试填，可以保留这条警告。")
# 部门整体 (an agency's `overall:` file)
OVERALL_FILE = Rule("overall-file", ERROR, "部门整体文件有误",
    "book.yaml 中某个单位的 `overall:` 指向的文件不存在、不在书文件夹内、被两个单位同时使用，"
    "或者同时被列为项目文件。整体文件是单位的部门（单位）整体支出绩效目标，每个单位一个，"
    "不是项目文件。请检查文件名（`tablegen new 书 --overall` 可以新建一个）。")
OVERALL_PROJECTS = Rule("overall-projects", ERROR, "项目支出与项目文件不符",
    "整体文件中写的项目支出（`projects:`，年初预算数）不等于本单位项目文件的预算数之和，"
    "或者 `execution.projects:`（全年执行数）不等于本单位项目文件的全年执行数之和。这两个数"
    "都可以不写：tablegen 按项目文件合计。写了就必须一致，以免表中出现两个不同的项目支出。")
OVERALL_TASKS = Rule("overall-tasks", ERROR, "年度主要任务的金额不符",
    "年度主要任务的预算金额与它对应的项目（`projects:`）的预算数之和不符，或者总额不等于"
    "财政拨款 + 其他资金，或者任务既没有写金额也没有写对应的项目，或者对应的项目文件不是本单位"
    "在 book.yaml 中列出的。写了 `projects:` 时金额可以不写，按项目合计。")
OVERALL_INCOME = Rule("overall-income", ERROR, "收入构成合计不符",
    "收入构成（`income:`）各项的合计不等于年度资金总额（基本支出 + 项目支出）。部门预算收支"
    "平衡，收入构成和支出构成的合计应当相同。")
OVERALL_SPENT = Rule("overall-spent", ERROR, "缺少项目支出的全年执行数",
    "整体文件已有 `execution:`（要做整体自评），但本单位还有项目文件没有执行数据，tablegen "
    "无法合计项目支出的全年执行数。请在 `execution.projects:` 中填写，或给每个项目文件填写执行"
    "数据。")
OVERALL_TASKS_OVER = Rule("overall-tasks-over", WARNING, "年度主要任务的金额超过年度资金总额",
    "年度主要任务的金额合计超过了本单位的年度资金总额（基本支出 + 项目支出）：任务的金额是"
    "年度资金的一部分，不会更多。请核对任务金额或基本支出。")
OVERALL_LAYOUT = Rule("overall-layout", WARNING, "缺少版式要印的内容",
    "book.yaml 的 `overall_layout:` 选用的部门整体支出绩效目标表版式要印出某一部分（中央申报表"
    "版式 `tasks` 的年度主要任务；收支构成版式 `funds` 的部门职能概述和收入构成），整体文件却没有"
    "填写（`tasks:`、`functions:`、`income:`）。表中这一部分将是空的（收入构成只有合计，即年度"
    "资金总额）。请补上，或者换用不印这一部分的版式。")
# 绩效运行监控 (monitoring data)
MONITOR_MONTH = Rule("monitor-month", ERROR, "监控月份不对",
    "`monitoring:` 中一轮监控的 `month:` 不在 1–12 之间，或者各轮没有按月份先后排列（同一月份写了两轮，"
    "或 4 月的一轮写在 7 月的一轮之后）。`month: 7` 表示 1–7月的执行情况。", readable=True)
MONITOR_EARLY = Rule("monitor-early", WARNING, "监控月份尚未结束",
    "监控月份还没有结束（例如 2025 年 7 月还没过完，就填了 1–7月的执行数）。这些数字只到填写时为止，"
    "不是整月的数。如果是提前试填，可以保留这条警告。")
MONITOR_OVERSPENT = Rule("monitor-overspent", ERROR, "1–N月执行数超过调整后预算数",
    "1–N月执行数（`spent:`）超过了调整后预算数（`adjusted:`），年度资金总额或某一资金来源的都算。"
    "请核对执行数，或先调整预算。", readable=True)
MONITOR_EXPECTED = Rule("monitor-expected", ERROR, "全年预计执行数少于已执行的数",
    "全年预计执行数（`expected:`）少于 1–N月已经执行的数（`spent:`）：已经花出去的钱不会变少。"
    "请核对两个数。", readable=True)
MONITOR_SUM = Rule("monitor-sum", ERROR, "监控资金来源合计不符",
    "监控的项目资金中，财政拨款 + 其他资金 ≠ 年度资金总额：逐列核对年初预算数（按印出的数）、"
    "调整后预算数、1–N月执行数和全年预计执行数。只写了年度资金总额时不检查。", readable=True)
MONITOR_LIKELIHOOD = Rule("monitor-likelihood", ERROR, "不能确定完成目标却没有说明",
    "完成目标可能性为“有可能”或“完全不可能”的指标，必须填写全年预计完成情况（`expected:`）、"
    "至少一项偏差原因（`causes:`）和原因说明（`note:`），这一轮还必须填写偏差或不能完成目标原因分析"
    "（`analysis:`）和相关建议或举措（`measures:`）。预算系统缺少这些内容时不能保存。", readable=True)
MONITOR_NOTE = Rule("monitor-note", ERROR, "勾选了偏差原因却没有说明",
    "指标勾选了偏差原因（`causes:`，如经费保障、其他），却没有填写原因说明（`note:`）。"
    "请说明具体原因。", readable=True)
MONITOR_UNKNOWN = Rule("monitor-unknown", ERROR, "监控的指标不在项目中",
    "`monitoring:` 中某一项 `indicators:` 的 `name:` 不是本项目的三级指标（常见于改了指标名称或打错字）。"
    "消息给出最接近的名称。名称在项目中出现多次时，按出现的先后一一对应。", readable=True)
MONITOR_MISSING = Rule("monitor-missing", WARNING, "指标没有监控数据",
    "最后一轮监控中没有这个三级指标的执行情况，监控表中这一行的执行情况、预计完成情况和完成目标可能性"
    "都是空白。请在这一轮的 `indicators:` 中补上它。")
SPENT_BELOW_MONITORED = Rule("spent-below-monitored", ERROR, "全年执行数少于监控时已执行的数",
    "自评的全年执行数（`execution.spent`）少于最后一轮监控时已经执行的数（1–N月执行数）："
    "已经花出去的钱不会变少。`tablegen selfeval` 由监控数据开始自评时，全年执行数要由你填写。",
    readable=True)
# fmt
FMT_SKIPPED = Rule("fmt-skipped", ERROR, "文件有错误，未格式化",
    "`tablegen fmt` 没有改写这个文件：文件有错误（语法错误、未知的键、三位小数的金额等），"
    "改写可能丢失内容。同一位置的其他消息说明了错误；请先按 `tablegen check` 的提示修正，"
    "再运行 `fmt`。")
# import
IMPORT_BOOK = Rule("import-book", ERROR, "无法导入到这本书",
    "`tablegen import`（或 `tablegen new`）没有修改这本书：书中有错误（请先按 "
    "`tablegen check` 的提示修正），`book.yaml` 没有可追加的 `agencies` 列表，某个单位的 "
    "`projects` 不是列表，或者改写后的 `book.yaml` 读出来会与预期不同。此时不写入任何文件；"
    "可以手动把新的项目文件加入 `agencies`。")
IMPORT_EXISTS = Rule("import-exists", WARNING, "项目已在书中",
    "导入的项目与书中已有项目的项目名称相同，未重复导入。")
IMPORT_SKIPPED = Rule("import-skipped", WARNING, "不是绩效目标表，已跳过",
    "源文件中的这个表格不是项目支出绩效目标表（例如封面上的表格），已跳过。"
    "消息指出是第几个表格。")
IMPORT_UNIT = Rule("import-unit", ERROR, "无法识别的金额单位",
    "源表格的“单位：…”不是元、千元或万元。请在源文件中改正后再导入。")
IMPORT_GRID = Rule("import-grid", ERROR, "找不到指标表的表头",
    "源表格中找不到任何一种版式的指标表表头（如缺省版式的 一级指标 | 二级指标 | 三级指标 | "
    "绩效指标描述 | 指标值）。请检查表格是否完整；原表的版式 tablegen 还没有时，先为它写一个版式文件"
    "（见“版式”一章）。")
IMPORT_AMOUNT = Rule("import-amount", ERROR, "源表格中的金额有误",
    "源表格中的金额不是数字（`四十`、`NaN`），缺少预算数，或者超过两位小数（`40.005`，"
    "从不自动舍入）。消息指出文件、表格和单元格；此时不写入任何文件。请在源文件中修正。")
IMPORT_FORMULA = Rule("import-formula", ERROR, "公式没有保存计算结果",
    "XLSX 的单元格是公式，但文件中没有保存计算结果（常见于由程序生成、从未打开过的文件）。"
    "请在 Excel 或 WPS 中打开并保存后再导入。")
IMPORT_FORMAT = Rule("import-format", ERROR, "无法确定单元格显示的内容",
    "XLSX 单元格的数字格式 tablegen 无法照样还原（例如把 0.985 显示成 99% 的舍入、月份名称、"
    "跟随系统区域的日期或货币格式、`[DBNum1]` 中文数字、分数），或单元格显示错误值（`#DIV/0!`）。"
    "tablegen 只读入表格上显示的内容，不猜测；消息指出工作表和单元格。请在 Excel/WPS 中把它改为"
    "常规、数值、百分比或日期格式，或直接写成显示的文字，再导入。")
IMPORT_HIDDEN = Rule("import-hidden", WARNING, "隐藏的工作表未导入",
    "XLSX 中有隐藏（或“非常隐藏”）的工作表，其中可能是旧表或草稿，未导入。"
    "如确实需要导入，请在 Excel/WPS 中取消隐藏后再导入。")
IMPORT_NESTED = Rule("import-nested", WARNING, "单元格中嵌有表格",
    "DOCX 表格的某个单元格里又嵌了一张表格：它按文字读入这个单元格（每格一行），不会变成一行"
    "指标。请核对导入后的文字。")
IMPORT_UNREADABLE = Rule("import-unreadable", WARNING, "文档中有读不到的内容",
    "DOCX 中有 tablegen 读不到的内容：嵌入的外部内容（`w:altChunk`，Word 打开时才并入正文）、"
    "嵌入对象（如粘贴进来的 Excel 表格）、文本框中的表格。其中的表格没有导入。请在 Word 中打开后"
    "另存为新的 DOCX，或把表格移到正文、另存为 XLSX 后再导入。")
IMPORT_UPDATE = Rule("import-update", WARNING, "更新时需要核对的地方",
    "`tablegen import --update` 用修改过的 DOCX/XLSX 更新书中已有的项目时，有需要核对的地方："
    "源文件中的单位与书中不同（单位不改动），或者源文件删去了一个指标，它在项目文件中的自评数据"
    "（实际完成值等）随之删除。")
IMPORT_TWICE = Rule("import-twice", ERROR, "两个表更新同一个项目",
    "`tablegen import --update` 的源文件中有两个表都要更新同一个项目。不写入任何文件；请在源文件"
    "中只保留一个。")
IMPORT_CELLS = Rule("import-cells", WARNING, "指标表的行单元格数不对",
    "指标表的某一行多出或缺少单元格，或者缺少三级指标或指标值。多出的单元格被忽略，缺少的"
    "按空白处理。请核对导入后的 YAML 文件。")
IMPORT_ORDER = Rule("import-order", WARNING, "指标分组不连续",
    "同一个一级指标（或同一个一级指标下的二级指标）在表格中不连续出现（预算系统导出的表常把一个"
    "效益指标行夹在两个产出指标行之间）。导入按原表的顺序保留这些行：`indicators` 写成按行排列的"
    "列表（每行写 `level1`、`level2`），文档照原样印出。请核对原表的顺序是否有意为之。")

# `tablegen review`: the finance bureau's target review before submission. Each rule names its
# review point and what a finding takes off that point (the grade: review/review.yaml). Every
# one is a warning: a review advises, `review --fail-below` (or `fail_below:` in review.yaml)
# makes a grade fail the run.
REVIEW_SETTINGS = Rule("review-settings", ERROR, "审核设置文件有误",
    "表格仓库根文件夹中的 `review.yaml`（或 `review --settings` 给出的文件）不是 tablegen 能读的审核"
    "设置：不是映射、有未知的键、`fail_below` 不是 优 | 良 | 中 | 差 之一、`typos` 不是“错误写法: "
    "正确写法”的映射。消息指出文件、行和列；改正之前 review 不运行。")
# 完整性
# Source: 财预〔2015〕88号 绩效目标审核的“完整性审核”（绩效目标的内容是否完整）; the frames of
# model/frames.yaml name each book's 一级指标.
LEVEL1_MISSING = Rule("level1-missing", WARNING, "缺少指标框架中的一级指标",
    "项目缺少本书指标框架规定的一级指标（如没有效益指标）。审核人会说“绩效指标不完整，缺少效益"
    "指标”，表格会被退回补充。满意度指标另见 `satisfaction-missing`。", point=COMPLETENESS, deduct=10)
# Source: 财预〔2021〕101号《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》把成本指标
# 列为项目支出必设的指标；review/review.yaml 的 `cost_required_from` 是它适用的第一个预算年度。
COST_MISSING = Rule("cost-missing", WARNING, "没有成本指标",
    "项目没有成本指标（`成本指标`、`经济成本指标` 等二级指标，或 cost-first 框架的一级“成本指标”）。"
    "自 2022 年度起，成本指标是项目支出绩效目标的必设指标（财预〔2021〕101号），审核人会要求补充"
    "反映单位成本或成本控制的指标；写在别处的金额上限（如效益指标中的 `≤40万元`）应移到成本指标。"
    "适用的第一个年度由 review.yaml 的 `cost_required_from` 规定。", point=COMPLETENESS, deduct=5)
# Source: 财预〔2015〕88号（满意度指标反映服务对象对项目实施效果的满意程度）; check's
# no-satisfaction warns for every project, this rule only where the texts name whom it serves.
SATISFACTION_MISSING = Rule("satisfaction-missing", WARNING, "有服务对象却没有满意度指标",
    "项目的名称、资金用途、绩效目标或指标写明了服务对象（企业、群众、学员、考生、“对外开展服务”等），"
    "却没有满意度指标。审核人会说“项目面向服务对象，应设置服务对象满意度指标”。只服务于本单位内部"
    "的项目（文中没有服务对象）不报告。", point=COMPLETENESS, deduct=5)
# Source: 事前绩效评估表“填报内容完整、准确、详实，无缺项、错项”; the placeholders officers leave
# (请填写, XX, ××, 待定) and 三级 names copied from their 二级 (“质量指标”).
PLACEHOLDER_LEFT = Rule("placeholder-left", WARNING, "留有占位内容",
    "文本中还有占位内容：`请填写…`、`XX`/`××`、`待定`、`待补充` 等，或者三级指标的名称就是它的"
    "二级指标名称（如三级指标叫“质量指标”），没有说明考核什么。审核人会说“有缺项”。",
    point=COMPLETENESS, deduct=5)
# 相关性
# Source: 财预〔2015〕88号“相关性审核”（绩效指标是否与绩效目标相对应）.
GOAL_UNMATCHED = Rule("goal-unmatched", WARNING, "绩效目标没有对应的指标",
    "绩效目标中的一句（以“；”“。”分开）与所有三级指标都没有共同的关键词，看不出用哪个指标衡量它。"
    "审核人会说“目标与指标不对应”。关键词按两个字的词比较，去掉“提高、保障、开展”等通用词，以及本书"
    "半数以上项目都有的词（如知识产权局的“知识产权”）。请为这句目标补充指标，或改写目标。",
    point=RELEVANCE, deduct=5)
# 适当性
# Source: 财预〔2015〕88号“适当性审核”（绩效目标与预算资金量是否匹配）; 财预〔2021〕101号 (成本
# 指标反映成本控制，而不是照抄预算数).
COST_OVER_BUDGET = Rule("cost-over-budget", WARNING, "成本指标与预算数不相称",
    "成本指标中的金额上限（单位成本以外的各项）加起来超过了项目的预算数，或者某一项成本指标的上限"
    "正好等于预算数（`项目总经费 ≤20万元`）。前者自相矛盾，后者只是照抄预算、不反映成本控制。"
    "审核人会要求按支出内容分项设置成本指标（如“人均培训成本 ≤800元”）。", point=APPROPRIATENESS,
    deduct=5)
# Source: 财预〔2021〕101号（指标值参考历史标准、上年实际完成值设定）; the 30 % of
# model/scoring.py BEATEN that asks the 自评 for a reason.
TARGET_BELOW_HISTORY = Rule("target-below-history", WARNING, "指标值远低于上年实际完成",
    "同一项目的同一指标，上年自评的实际完成值超出本年指标值 30% 以上（≥ 的指标：上年实际 99%，"
    "本年指标值 ≥60%；≤ 的指标反之）。上年的数据来自上一年度的书（同一仓库中预算年度早一年的书）"
    "或 git 历史中的版本。审核人会说“指标值设定偏低，未参考历史完成情况”。", point=APPROPRIATENESS,
    deduct=5)
# Source: 庄浪 2025 等审核意见中“模板化、笼统化”的问题：同一指标在多个项目中照抄.
TEMPLATE_COPY = Rule("template-copy", WARNING, "多个项目的指标完全相同",
    "同一本书中至少 3 个项目（且不少于项目数的四分之一）有完全相同的三级指标和指标值（如都写"
    "`工作完成率 100%`），像是套用模板。审核人会说“指标未结合项目实际”。满意度指标不计。",
    point=APPROPRIATENESS, deduct=2)
# Source: 审核意见中“以完成率、满意度等形式指标凑数”的问题; the list of formal names is data
# (review/review.yaml `formal`).
FORMAL_ONLY = Rule("formal-only", WARNING, "一级指标下只有形式指标",
    "产出指标、效益指标或成本指标下的三级指标全是“完成率、执行率、到位率、满意度”一类的形式指标，"
    "没有反映具体产出或效果。审核人会说“指标设置流于形式”。满意度指标一级不检查。",
    point=APPROPRIATENESS, deduct=5)
# 可行性
# Source: 财预〔2015〕88号“可行性审核”（绩效目标是否经过努力可以实现）; mirror of
# target-below-history.
TARGET_ABOVE_HISTORY = Rule("target-above-history", WARNING, "指标值远高于上年实际完成",
    "≥ 的指标，本年的指标值比上年自评的实际完成值高出 30% 以上（上年实际 60%，本年 ≥95%）；≤ 的"
    "指标反之。审核人会问这样的目标有什么依据、能否实现。资金量或工作量明显增加时，可以保留并在"
    "绩效指标描述中说明。", point=FEASIBILITY, deduct=3)
# Source: 审核意见常见的“满意度指标设定为100%，不切实际”.
SATISFACTION_FULL = Rule("satisfaction-full", WARNING, "满意度指标值为 100%",
    "满意度指标的值是 100%（`≥100%`、`100%`）：任何一个不满意的样本都会让它完不成。审核人会说"
    "“指标值不切实际”，一般设为 ≥90% 或 ≥95%。", point=FEASIBILITY, deduct=3)
# 规范性
# Source: 预算管理一体化系统录入绩效指标时，同一项目内三级指标名称默认不能重复.
INDICATOR_REPEATED = Rule("indicator-repeated", WARNING, "三级指标名称重复",
    "同一个项目中两个三级指标的名称相同（即使在不同的二级指标下）。预算系统录入时默认拒绝重名的"
    "三级指标；请合并，或改成能区分的名称。", point=CONFORMITY, deduct=3)
# Source: 预算系统的绩效指标有“计算符号”（≥ ≤ ＝ > <）一栏；没有符号的数值按“＝”导入.
VALUE_UNSIGNED = Rule("value-unsigned", WARNING, "定量指标值没有计算符号",
    "定量指标值只有数字和单位，没有 ≥、≤、＝ 等符号（如 `1个`、`100%`）。预算系统按“＝”导入，"
    "自评时实际完成 2个 也算偏离。请写明方向：`≥1个`，确实要求恰好等于时写 `＝1个`。",
    point=CONFORMITY, deduct=1)
# Source: 预算系统的“度量单位”一栏不能为空.
VALUE_UNITLESS = Rule("value-unitless", WARNING, "定量指标值没有单位",
    "定量指标值只有数字，没有单位（如 `≥90`、`100`）。请写明单位：`≥90%`、`100人`。",
    point=CONFORMITY, deduct=2)
# Source: 预算系统的“指标性质”一栏分定量、定性；定性指标按等级评价，不写数值.
QUALITATIVE_NUMBER = Rule("qualitative-number", WARNING, "定性指标值中夹着数值",
    "指标值是一段文字（定性），其中却有一个数值（`提升10%左右`、`不适用 0`）；日期、书名号中的"
    "文字和序号（`第3期`）不算。这样的值既不能按数值计分，也不像定性指标那样按等级评价。请写成定量的 "
    "`≥10%`，或去掉数值；写了“不适用”的行只写“不适用”。",
    point=CONFORMITY, deduct=2)
# Source: 审核意见中“指标值与计量单位不符”; names that end in 率/比例 measure a percentage.
UNIT_MISMATCH = Rule("unit-mismatch", WARNING, "指标值与指标的单位不符",
    "指标值的单位与指标名称说的不一致：名称以“率”“比例”“占比”“满意度”结尾，值却是金额或个数"
    "（`资金到位率 28.8万元`）；名称在括号里写了单位（`补助人数（人）`），值却是别的单位或一段文字"
    "（`应保尽保`）。审核人会说“指标值与计量单位不符”。", point=CONFORMITY, deduct=3)
# Source: 预算公开文件被网站检查通报的错别字（拔付、建立建全、日效性、帐户…），审计把错别字列为
# 单项否决；词典是 review/typos.yaml，单位可在 review.yaml 的 `typos` 中补充.
TYPO = Rule("typo", WARNING, "错别字",
    "文本中有预算文件常见的错别字，如 `拔付`（拨付）、`建立建全`（建立健全）、`日效性`（时效性）、"
    "`帐户`（账户）。词典随 tablegen 提供（`review/typos.yaml`），本单位可以在表格仓库的 "
    "`review.yaml` 中用 `typos:` 补充（`错误写法: 正确写法`）。公开后被检查出的错别字会被通报。",
    point=CONFORMITY, deduct=3)
# Source: GB/T 15835—2011《出版物上数字用法》（阿拉伯数字用半角）.
WIDTH_MIX = Rule("width-mix", WARNING, "数字或符号全角半角混用",
    "数字和与它相连的符号中混有全角字符：`９５%`（全角数字）、`95％`（半角数字配全角百分号）、"
    "`＜1分钟`、`1，000`。印出来宽窄不一，导入预算系统时也可能读错。数字、小数点、百分号和比较符号"
    "请统一用半角。", point=CONFORMITY, deduct=1)
# Source: GB/T 15834—2011《标点符号用法》、GB/T 9704—2012《党政机关公文格式》（发文字号的年份
# 用六角括号〔〕）; ≧ ≦ are other characters than the ≥ ≤ budget systems use.
SIGN_VARIANT = Rule("sign-variant", WARNING, "符号用错",
    "用了形近的其他符号：`≧`/`≦`（应为 `≥`/`≤`），`=>`、`=<`；发文字号中的年份写成 `[2025]`、"
    "`【2025】`、`（2025）`（应为六角括号 `〔2025〕`）。", point=CONFORMITY, deduct=1)

# Every rule, in the order the guide lists them.
RULES: tuple[Rule, ...] = (
    PATH_MISSING,
    FILE_UNREADABLE,
    FILE_OUTSIDE,
    NOT_A_FILE,
    FILE_TOO_LARGE,
    ENCODING,
    INVISIBLE_CHAR,
    CONTROL_CHAR,
    YAML_SYNTAX,
    UNQUOTED_SIGN,
    UNSAFE_TAG,
    YAML_ALIAS,
    DUPLICATE_KEY,
    UNKNOWN_KEY,
    MISSING_FIELD,
    WRONG_TYPE,
    EMPTY_TEXT,
    EMPTY_GROUP,
    INVALID_CHOICE,
    YEAR_RANGE,
    LAYOUT,
    UNPRINTED,
    AMOUNT_INVALID,
    AMOUNT_NEGATIVE,
    AMOUNT_PRECISION,
    BUDGET_SUM,
    UNKNOWN_LEVEL1,
    UNKNOWN_LEVEL2,
    COST_CAP,
    PERCENT_OVER_100,
    SATISFACTION_UNIT,
    NO_SATISFACTION,
    DATE_RANGE,
    PROJECT_MISSING,
    PROJECT_DUPLICATE,
    NAME_DUPLICATE,
    UNLISTED_FILE,
    NO_PROJECTS,
    WHITESPACE,
    PLACEHOLDER,
    ENCODING_DAMAGE,
    GLYPH_MISSING,
    TEXT_TOO_LONG,
    ACTUAL_MISSING,
    ACTUAL_UNIT,
    ACTUAL_KIND,
    GRADE_MISSING,
    SCORE_OVER_WEIGHT,
    WEIGHT_SUM,
    FULL_MARKS,
    EXECUTION_SUM,
    OVERSPENT,
    DEVIATION_MISSING,
    WEIGHT_ZERO,
    ACTUAL_OUTLIER,
    TARGET_UNSIGNED,
    ACTUAL_READ,
    SCORE_BAND,
    SCORE_OVERRIDE,
    EXECUTION_ZERO,
    SCHEME_INVALID,
    SCHEME_NOTE,
    EXECUTION_EARLY,
    OVERALL_FILE,
    OVERALL_PROJECTS,
    OVERALL_TASKS,
    OVERALL_INCOME,
    OVERALL_SPENT,
    OVERALL_TASKS_OVER,
    OVERALL_LAYOUT,
    MONITOR_MONTH,
    MONITOR_EARLY,
    MONITOR_OVERSPENT,
    MONITOR_EXPECTED,
    MONITOR_SUM,
    MONITOR_LIKELIHOOD,
    MONITOR_NOTE,
    MONITOR_UNKNOWN,
    MONITOR_MISSING,
    SPENT_BELOW_MONITORED,
    FMT_SKIPPED,
    IMPORT_BOOK,
    IMPORT_EXISTS,
    IMPORT_SKIPPED,
    IMPORT_UNIT,
    IMPORT_GRID,
    IMPORT_AMOUNT,
    IMPORT_FORMULA,
    IMPORT_FORMAT,
    IMPORT_HIDDEN,
    IMPORT_NESTED,
    IMPORT_UNREADABLE,
    IMPORT_UPDATE,
    IMPORT_TWICE,
    IMPORT_CELLS,
    IMPORT_ORDER,
    REVIEW_SETTINGS,
    LEVEL1_MISSING,
    COST_MISSING,
    SATISFACTION_MISSING,
    PLACEHOLDER_LEFT,
    GOAL_UNMATCHED,
    COST_OVER_BUDGET,
    TARGET_BELOW_HISTORY,
    TEMPLATE_COPY,
    FORMAL_ONLY,
    TARGET_ABOVE_HISTORY,
    SATISFACTION_FULL,
    INDICATOR_REPEATED,
    VALUE_UNSIGNED,
    VALUE_UNITLESS,
    QUALITATIVE_NUMBER,
    UNIT_MISMATCH,
    TYPO,
    WIDTH_MIX,
    SIGN_VARIANT,
)
# The rules `tablegen review` reports, each with its review point.
REVIEW_RULES = tuple(r for r in RULES if r.point)


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError for an id that is not registered)."""
    return _BY_ID[rule_id]


_BY_ID = {r.id: r for r in RULES}
