//! Text normalisation shared by every layout: amounts, labels, enumerations, codes, levels.

use rust_decimal::Decimal;
use std::str::FromStr;

/// A cell-sized token that holds an amount: a number, or a dash (printed, but null).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AmountToken {
    Number { value: Decimal, decimals: u32 },
    Dash,
}

impl AmountToken {
    pub fn value(self) -> Option<Decimal> {
        match self {
            AmountToken::Number { value, .. } => Some(value),
            AmountToken::Dash => None,
        }
    }
    pub fn decimals(self) -> u32 {
        match self {
            AmountToken::Number { decimals, .. } => decimals,
            AmountToken::Dash => 0,
        }
    }
}

fn halfwidth(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '，' => ',',
        '－' | '−' => '-',
        _ => c,
    }
}

/// Parses a whole token as an amount (`1,332.40`, `０.６８`, `-3.5`, `—`), else `None`.
pub fn parse_amount(token: &str) -> Option<AmountToken> {
    let t: String = token.trim().chars().map(halfwidth).collect();
    if t.is_empty() {
        return None;
    }
    if t.chars().all(|c| matches!(c, '-' | '—' | '–' | '─')) && t.chars().count() <= 3 {
        return Some(AmountToken::Dash);
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int_part.is_empty() || !int_part.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // Thousands separators only between digit groups of three.
    let groups: Vec<&str> = int_part.split(',').collect();
    if groups.iter().any(|g| g.is_empty() || !g.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    if groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    let decimals = match frac_part {
        Some(f) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => f.len() as u32,
        Some(_) => return None,
        None => 0,
    };
    let digits: String = groups.concat();
    let text = match frac_part {
        Some(f) => format!("{}{}.{}", if neg { "-" } else { "" }, digits, f),
        None => format!("{}{}", if neg { "-" } else { "" }, digits),
    };
    let value = Decimal::from_str(&text).ok()?;
    Some(AmountToken::Number { value, decimals })
}

/// Removes all white space (including the ideographic space) from a label.
pub fn strip_ws(s: &str) -> String {
    // Copies the runs between white space whole: char-by-char pushing was a profile hot spot.
    let mut out = String::with_capacity(s.len());
    let mut run_start = 0;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            out.push_str(&s[run_start..i]);
            run_start = i + c.len_utf8();
        }
    }
    out.push_str(&s[run_start..]);
    out
}

const CN_DIGITS: &str = "一二三四五六七八九十百零〇";

/// Removes a leading enumeration (`一、`, `二十六、`, `1.`, `2、`, `（一）`, `(3)`) from a label
/// that has no white space.
pub fn strip_enumeration(label: &str) -> &str {
    let chars: Vec<(usize, char)> = label.char_indices().collect();
    // 一、 / 二十六、
    let n = chars.iter().take_while(|(_, c)| CN_DIGITS.contains(*c)).count();
    if n > 0 && n < chars.len() && chars[n].1 == '、' {
        return &label[chars[n].0 + '、'.len_utf8()..];
    }
    // 1. / 1、 / 1．
    let d = chars.iter().take_while(|(_, c)| c.is_ascii_digit()).count();
    if d > 0 && d < chars.len() && matches!(chars[d].1, '.' | '、' | '．') {
        let rest = &label[chars[d].0 + chars[d].1.len_utf8()..];
        // `1.5` is a number, not an enumeration.
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            return rest;
        }
    }
    // （一） / (1)
    if matches!(chars.first(), Some((_, '（' | '('))) {
        let inner = chars[1..].iter().take_while(|(_, c)| CN_DIGITS.contains(*c) || c.is_ascii_digit()).count();
        if inner > 0 && 1 + inner < chars.len() && matches!(chars[1 + inner].1, '）' | ')') {
            return &label[chars[1 + inner].0 + chars[1 + inner].1.len_utf8()..];
        }
    }
    label
}

/// A printed label as the contract wants it: no white space, no leading enumeration.
pub fn clean_label(raw: &str) -> String {
    strip_enumeration(&strip_ws(raw)).to_string()
}

/// `总计` / `合计` style grand-total labels (white space already removed).
pub fn is_total_label(label: &str) -> bool {
    matches!(label, "总计" | "合计" | "总 计" | "合 计")
}

/// Level of a canonical function or economic code (3/5/7 digits -> 1/2/3).
pub fn code_level(code: &str) -> i8 {
    match code.len() {
        3 => 1,
        5 => 2,
        _ => 3,
    }
}

/// Builds a canonical code from printed parts (`201`,`3`,`50` -> `2010350`; `2010301` kept).
pub fn canonical_code(parts: &[&str]) -> Option<String> {
    let first = parts.first()?;
    if !first.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match first.len() {
        5 | 7 if parts.len() == 1 => return Some(first.to_string()),
        3 => {}
        _ => return None,
    }
    let mut code = first.to_string();
    for p in &parts[1..] {
        if p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        code.push_str(&format!("{:0>2}", p));
    }
    Some(code)
}

/// The parent code of a canonical code (`2010301` -> `20103`).
pub fn parent_code(code: &str) -> Option<&str> {
    match code.len() {
        7 => Some(&code[..5]),
        5 => Some(&code[..3]),
        _ => None,
    }
}

/// Function classification 类 names (current and earlier templates) -> codes, used to resolve
/// a class line printed without its code (`九、卫生健康支出`).
pub const FUNCTION_CLASSES: &[(&str, &str)] = &[
    ("201", "一般公共服务支出"),
    ("202", "外交支出"),
    ("203", "国防支出"),
    ("204", "公共安全支出"),
    ("205", "教育支出"),
    ("206", "科学技术支出"),
    ("207", "文化旅游体育与传媒支出"),
    ("207", "文化体育与传媒支出"),
    ("208", "社会保障和就业支出"),
    ("209", "社会保险基金支出"),
    ("210", "卫生健康支出"),
    ("210", "医疗卫生与计划生育支出"),
    ("210", "医疗卫生支出"),
    ("211", "节能环保支出"),
    ("212", "城乡社区支出"),
    ("213", "农林水支出"),
    ("214", "交通运输支出"),
    ("215", "资源勘探工业信息等支出"),
    ("215", "资源勘探信息等支出"),
    ("216", "商业服务业等支出"),
    ("217", "金融支出"),
    ("219", "援助其他地区支出"),
    ("220", "自然资源海洋气象等支出"),
    ("220", "国土海洋气象等支出"),
    ("221", "住房保障支出"),
    ("222", "粮油物资储备支出"),
    ("223", "国有资本经营预算支出"),
    ("224", "灾害防治及应急管理支出"),
    ("227", "预备费"),
    ("229", "其他支出"),
    ("230", "转移性支出"),
    ("231", "债务还本支出"),
    ("232", "债务付息支出"),
    ("233", "债务发行费用支出"),
    ("234", "抗疫特别国债安排的支出"),
];

/// Resolves a function class name to its code; a name cut short must still be unambiguous.
pub fn function_class_code(name: &str) -> Option<&'static str> {
    let name = name.replace(['（', '）', '(', ')'], "");
    if let Some((code, _)) = FUNCTION_CLASSES.iter().find(|(_, n)| *n == name) {
        return Some(code);
    }
    if name.chars().count() < 4 {
        return None;
    }
    let hits: Vec<&str> =
        FUNCTION_CLASSES.iter().filter(|(_, n)| n.starts_with(name.as_str())).map(|(c, _)| *c).collect();
    match hits.as_slice() {
        [one, rest @ ..] if rest.iter().all(|c| c == one) => Some(one),
        _ => None,
    }
}

/// Is this label a 类 line name of the function classification (with or without its code)?
pub fn is_function_class_name(name: &str) -> bool {
    function_class_code(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<Decimal> {
        parse_amount(s).and_then(|t| t.value())
    }

    #[test]
    fn amounts() {
        assert_eq!(num("1,332.40"), Some(Decimal::new(133240, 2)));
        assert_eq!(num("０.６８"), Some(Decimal::new(68, 2)));
        assert_eq!(num("8"), Some(Decimal::from(8)));
        assert_eq!(num("-3.5"), Some(Decimal::new(-35, 1)));
        assert_eq!(parse_amount("—"), Some(AmountToken::Dash));
        assert_eq!(parse_amount("-"), Some(AmountToken::Dash));
        assert_eq!(parse_amount("2."), None);
        assert_eq!(parse_amount("12,34.5"), None);
        assert_eq!(parse_amount("部门专项-12345"), None);
        assert_eq!(parse_amount("1.一般"), None);
    }

    #[test]
    fn enumerations() {
        assert_eq!(clean_label("一、本年收入"), "本年收入");
        assert_eq!(clean_label("二十六、抗疫特别国债安排的支出"), "抗疫特别国债安排的支出");
        assert_eq!(clean_label("1. 一般公共预算拨款"), "一般公共预算拨款");
        assert_eq!(clean_label("（一）机关运行"), "机关运行");
        assert_eq!(clean_label("收 入 总 计"), "收入总计");
        assert_eq!(clean_label("其中：一般财力"), "其中：一般财力");
    }

    #[test]
    fn codes() {
        assert_eq!(canonical_code(&["201", "3", "50"]).as_deref(), Some("2010350"));
        assert_eq!(canonical_code(&["201", "03", "01"]).as_deref(), Some("2010301"));
        assert_eq!(canonical_code(&["2010301"]).as_deref(), Some("2010301"));
        assert_eq!(canonical_code(&["301", "1"]).as_deref(), Some("30101"));
        assert_eq!(canonical_code(&["30"]), None);
        assert_eq!(function_class_code("卫生健康支出"), Some("210"));
        assert_eq!(function_class_code("文化旅游体育与传"), Some("207"));
        assert_eq!(function_class_code("社会保险基金支出"), Some("209"));
        assert_eq!(function_class_code("支出"), None);
    }
}
