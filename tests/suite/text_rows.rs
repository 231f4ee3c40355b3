//! Tables extracted without positions (pdfplumber `spaced_text`, PyMuPDF `pdf_text`): codes fused
//! to names, one cell per line, and columns only where the printed header proves them — a
//! number is never put into a column by a template's order.

use budget_etl::extract::{extract, Extracted};
use budget_etl::model::{Cells, Row, TableType};
use rust_decimal::Decimal;

fn rows(ex: &Extracted, tt: TableType) -> &[Row] {
    &ex.tables.iter().find(|t| t.table_type == tt).unwrap_or_else(|| panic!("no {}", tt.as_str())).rows
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn placed(r: &Row, column: &str) -> Option<Decimal> {
    match &r.cells {
        Cells::Placed(_) => r.value(column).flatten(),
        Cells::Unplaced(_) => panic!("row {:?} left unplaced", r.key.code),
    }
}

fn ambiguous(ex: &Extracted) -> usize {
    ex.checks.iter().filter(|c| c.check_id == "column_ambiguous").count()
}

#[test]
fn fused_codes_are_read_and_only_a_total_is_level_0() {
    // 北京 预算03表 (pdfplumber, excerpt): `2010801-行政运行 50101-… 30101-…`, total at the bottom.
    let text = "预算03表 支出总表\n金额单位：万元\n其中\n\
                支出功能分类科目 政府支出经济分类科目 部门支出经济分类科目 合计 基本支出 项目支出\n\
                2010801-行政运行 50101-工资奖金津补贴 30101-基本工资 3,138.093600 3,138.093600\n\
                2050803-培训支出 50203-培训费 30216-培训费 122.800000 109.600000 13.200000\n\
                合 计 3,260.893600 3,247.693600 13.200000\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::ExpenditureByFunction);
    let keys: Vec<(Option<&str>, Option<i8>)> = r.iter().map(|r| (r.key.code.as_deref(), r.key.level)).collect();
    assert_eq!(keys, [(Some("2010801"), Some(3)), (Some("2050803"), Some(3)), (None, Some(0))]);
    assert_eq!(r[0].key.name.as_deref(), Some("行政运行50101-工资奖金津补贴30101-基本工资"));
    assert_eq!(placed(&r[2], "total"), Some(dec("3260.893600")));
}

#[test]
fn a_row_without_a_code_or_total_label_is_not_the_total() {
    // Lines broken by the extractor (普陀 决算, pdfplumber): name lines and code lines apart.
    let text = "示例单位2025年部门预算公开\n表3\n支出总体情况表\n编制单位：示例单位 单位：万元\n\
                科目编码 科目名称 合计 基本支出 项目支出\n\
                一般公共服务支出 1,503.52 603.14\n201 2,106.66\n\
                合计 2,106.66 1,503.52 603.14\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::ExpenditureByFunction);
    let totals: Vec<Option<&str>> =
        r.iter().filter(|r| r.key.level == Some(0)).map(|r| r.key.name.as_deref()).collect();
    assert_eq!(totals, [Some("合计")], "{r:#?}");
}

#[test]
fn columns_the_header_does_not_prove_stay_null_and_are_reported() {
    // The header names six columns; the rows print three numbers at most: which three is not
    // proved, so the template's first three columns are not assumed (only the total, which the
    // row's own sum proves, is kept).
    let text = "示例单位2025年部门预算公开\n表3\n支出总体情况表\n编制单位：示例单位 单位：万元\n\
                科目编码 科目名称 合计 基本支出 项目支出 事业单位经营支出 上缴上级支出 对附属单位补助支出\n\
                201 一般公共服务支出 30.00 20.00 10.00\n合计 30.00 20.00 10.00\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::ExpenditureByFunction);
    assert!(r.iter().all(|r| placed(r, "basic").is_none() && placed(r, "project").is_none()), "{r:#?}");
    assert!(r.iter().all(|r| placed(r, "total") == Some(dec("30.00"))));
    assert_eq!(ambiguous(&ex), 4, "{:#?}", ex.checks);
    // Every printed number is still a fact.
    let facts = budget_etl::facts::facts_of(&ex.tables);
    assert_eq!(facts.iter().filter(|f| f.table_type == TableType::ExpenditureByFunction).count(), 6);
}

#[test]
fn a_header_without_one_of_the_templates_columns_leaves_the_others_in_place() {
    // 表2 printed with five of the template's twelve columns, in one header line.
    let text = "示例单位2025年部门预算公开\n表2\n收入总体情况表\n编制单位：示例单位 单位：万元\n\
                科目编码 科目名称 合计 一般公共预算 政府性基金预算 财政专户管理资金 单位资金\n\
                合计 100.00 60.00 10.00 20.00 10.00\n201 一般公共服务支出 100.00 60.00 10.00 20.00 10.00\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::RevenueByFunction);
    assert_eq!(placed(&r[0], "special_account"), Some(dec("20.00")));
    assert_eq!(placed(&r[0], "unit_funds"), Some(dec("10.00")));
    assert_eq!(placed(&r[1], "gov_fund"), Some(dec("10.00")));
    assert_eq!(placed(&r[1], "state_capital"), None);
}

#[test]
fn one_cell_per_line() {
    // PyMuPDF (excerpts of 深圳 表7 and 普陀 表5): every cell on a line of its own, blank cells as
    // lines of spaces, codes split over lines, a bare `204` that is a code and not a page number.
    let text = "示例单位2025年部门预算公开\n表7\n一般公共预算支出表（按功能分类）\n部门名称：示例单位\n单位：万元\n\
                预算单位\n科目编码\n科目名称\n支出总计\n基本支出\n项目支出\n示例单位\n \n \n\
                4,684.30\n3,072.01\n1,612.29\n\
                204\n公共安全支出\n4,684.30\n3,072.01\n1,612.29\n\
                204\n06\n司法\n4,684.30\n3,072.01\n1,612.29\n\
                2040601\n行政运行\n3,072.01\n3,072.01\n0.00\n\
                2040604\n基层司法业务\n1,612.29\n0.00\n1,612.29\n- 23 -\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::GeneralBudgetExpenditure);
    let keys: Vec<(Option<&str>, Option<i8>)> = r.iter().map(|r| (r.key.code.as_deref(), r.key.level)).collect();
    assert_eq!(
        keys,
        [
            (None, Some(0)),
            (Some("204"), Some(1)),
            (Some("20406"), Some(2)),
            (Some("2040601"), Some(3)),
            (Some("2040604"), Some(3))
        ],
        "{r:#?}"
    );
    assert_eq!(placed(&r[0], "total"), Some(dec("4684.30")));
    assert_eq!(placed(&r[2], "basic"), Some(dec("3072.01")));
    assert_eq!(placed(&r[4], "project"), Some(dec("1612.29")));
}

#[test]
fn an_amount_with_thousands_separators_is_never_a_code() {
    // PyMuPDF 表6 (excerpt): the total's numbers printed before its label.
    let text = "示例单位2025年部门预算公开\n表6\n一般公共预算基本支出情况表\n编制单位：示例单位\n单位：元\n\
                经济分类科目编码\n部门经济分类科目名称\n合计\n人员经费\n公用经费\n\
                302\n99\n其他商品和服务支出\n68,880\n68,880\n\
                3,534,360\n3,465,480\n68,880\n合计\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::BasicExpenditureByEconomic);
    assert!(r.iter().all(|r| r.key.code.as_deref() != Some("3465480")), "{r:#?}");
    assert_eq!(r[0].key.code.as_deref(), Some("30299"));
}

#[test]
fn a_total_the_row_itself_proves_is_kept_when_the_header_does_not_prove_the_columns() {
    // 武汉 公开03表 (pdfplumber, excerpt): a wrapped header (`对附属单位补助` / `支出`) whose
    // column order is lost; the first number of a row that equals the sum of the others is its
    // total (合计 = 基本 + 项目 + …); the parts stay null and are reported.
    let text = "示例单位2024年度部门决算\n支出决算表\n公开03表\n部门：示例单位 金额单位：万元\n项目\n对附属单位补助\n\
                本年支出合计 基本支出 项目支出 上缴上级支出 经营支出\n科目代码 科目名称 支出\n栏次 1 2 3 4 5 6\n\
                合计 14,572.53 11,073.11 3,499.42\n201 一般公共服务支出 10,685.56 7,366.16 3,319.39\n\
                205 教育支出 180.03 180.03\n208 社会保障和就业支出 900.00 850.00\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::ExpenditureByFunction);
    assert_eq!(placed(&r[0], "total"), Some(dec("14572.53")));
    assert_eq!(placed(&r[1], "total"), Some(dec("10685.56")));
    assert_eq!(placed(&r[2], "total"), Some(dec("180.03")));
    // 900.00 is not 850.00: nothing proves which is the total.
    assert_eq!(placed(&r[3], "total"), None);
    assert!(r.iter().all(|r| placed(r, "basic").is_none() && placed(r, "project").is_none()));
    assert_eq!(ambiguous(&ex), 2 + 2 + 1 + 2, "{:#?}", ex.checks);
}

#[test]
fn one_cell_per_line_rows_end_at_a_page_header() {
    // PyMuPDF (excerpt of 上海 表6): after the table's 合计 label, the next table's unit line
    // (`单位:万元`, ASCII colon) and header; its numbers are not the 合计's.
    let text = "示例单位2025年部门预算公开\n表6\n一般公共预算基本支出情况表\n编制单位：示例单位\n单位：元\n\
                经济分类科目编码\n部门经济分类科目名称\n合计\n人员经费\n公用经费\n\
                302\n11\n差旅费\n70,000\n70,000\n302\n99\n其他商品和服务支出\n68,880\n68,880\n\
                合计\n\n单位:万元\n小计\n购置费\n运行费\n1.70\n1.70\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::BasicExpenditureByEconomic);
    let total = r.iter().find(|r| r.key.level == Some(0)).expect("a total row");
    assert_eq!(total.key.name.as_deref(), Some("合计"));
    assert_eq!(placed(total, "total"), None, "{r:#?}");
}

#[test]
fn pdfplumber_text_is_read_as_spaced_text() {
    // 深圳 表7 (pdfplumber, excerpt): one row per line, single spaces, no blank lines between
    // rows; the same rows with blank lines between them are the real corpus's `pdf_text`, and one
    // cell per line is PyMuPDF's.
    let rows = "预算单位 科目编码 科目名称 支出总计 基本支出 项目支出\n示例单位 4,684.30 3,072.01 1,612.29\n\
                201 一般公共服务支出 3,459.13 1,866.84 1,592.29\n2014001 行政运行 1,866.84 1,866.84 0.00\n";
    let head = "示例单位2025年部门预算公开\n表7\n一般公共预算支出表（按功能分类）\n部门名称：示例单位 单位：万元\n";
    let spaced = extract(&format!("{head}{rows}"));
    assert_eq!(spaced.layout.as_str(), "spaced_text");
    let r = rows_of(&spaced);
    assert_eq!(placed(&r[0], "total"), Some(dec("4684.30")));
    assert_eq!(placed(&r[1], "project"), Some(dec("1592.29")));
    let blank_lines = extract(&format!("{head}{}", rows.replace('\n', "\n\n")));
    assert_eq!(blank_lines.layout.as_str(), "pdf_text");
    let cells = extract(&format!("{head}{}", rows.replace(' ', "\n")));
    assert_eq!(cells.layout.as_str(), "pdf_text");
    assert_eq!(placed(&rows_of(&cells)[1], "basic"), Some(dec("1866.84")));
}

fn rows_of(ex: &Extracted) -> Vec<Row> {
    rows(ex, TableType::GeneralBudgetExpenditure).to_vec()
}

#[test]
fn a_summary_side_that_splits_its_amount_keeps_the_total_and_labels_without_amounts_split() {
    // 上海 财务收支预算总表 (pdfplumber, excerpt): the expenditure side prints 合计 and its split
    // (人员经费 / 公用经费 / 项目支出); a revenue label without an amount before an expenditure
    // label.
    let text = "2026年预算单位财务收支预算总表\n编制单位：示例单位 单位：元\n本年收入 本年支出\n预算数\n\
                项目 预算数 项目 基本支出\n合计 项目支出\n人员经费 公用经费\n\
                一、财政拨款收入 66,716,064 一、科学技术支出 69,733,764 2,483,180 20,682,584 46,568,000\n\
                3、国有资本经营预算 四、住房保障支出 171,800 171,800\n\
                收入总计 70,716,064 支出总计 70,716,064 3,465,480 20,682,584 46,568,000\n";
    let ex = extract(text);
    let r = rows(&ex, TableType::RevenueExpenditureSummary);
    let side = |s: &str| -> Vec<(String, Option<Decimal>)> {
        r.iter()
            .filter(|r| r.key.side.map(|x| x.as_str()) == Some(s))
            .map(|r| (r.key.item.clone().unwrap_or_default(), placed(r, "amount")))
            .collect()
    };
    assert_eq!(
        side("revenue"),
        [
            ("财政拨款收入".to_string(), Some(dec("66716064"))),
            ("国有资本经营预算".to_string(), None),
            ("收入总计".to_string(), Some(dec("70716064")))
        ]
    );
    assert_eq!(
        side("expenditure"),
        [
            ("科学技术支出".to_string(), Some(dec("69733764"))),
            ("住房保障支出".to_string(), Some(dec("171800"))),
            ("支出总计".to_string(), Some(dec("70716064")))
        ]
    );
}
