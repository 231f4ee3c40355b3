//! 表7 grouped by sub-unit: a row without a code is a sub-unit heading when its amounts are the
//! sum of the rows after it (and the groups add up to the grand total); its rows carry its
//! `unit`. A row without a code that heads nothing is a project printed without a code.

use budget_etl::extract::{extract, Extracted};
use budget_etl::model::{CheckStatus, Row, TableType};

fn projects(ex: &Extracted) -> &[Row] {
    &ex.tables.iter().find(|t| t.table_type == TableType::ProjectExpenditure).unwrap().rows
}

/// (level, unit, name or project name) of every row.
fn keys(ex: &Extracted) -> Vec<(Option<i8>, Option<String>, String)> {
    projects(ex)
        .iter()
        .map(|r| {
            let label = r.key.project_name.clone().or_else(|| r.key.name.clone()).unwrap_or_default();
            (r.key.level, r.key.unit.clone(), label)
        })
        .collect()
}

fn pdf_text(rows: &str) -> Extracted {
    extract(&format!(
        "示例单位2025年部门预算公开\n\n 表 7\n\n一般公共预算项目支出情况表\n\n编制单位：示例单位 单位：万元\n\n\
         科目编码 功能分类科目名称 项目名称 项目支出合计 工资福利支出 商品和服务支出 对个人和家庭的补助 \
         债务利息及费用支出 资本性支出（基本建设） 资本性支出 对企业补助（基本建设） 对企业补助 对社会保障基金补助 \
         其他支出\n\n类 款 项\n\n※ ※ ※ ※ ※ 1 2 3 4 5 6 7 8 9 10 11\n\n{rows}\n"
    ))
}

fn markdown(rows: &str) -> Extracted {
    extract(&format!(
        "# 示例单位2025年部门预算公开\n\n表 7\n\n### 一般公共预算项目支出情况表\n\n编制部门：示例单位\n\n单位：万元\n\n\
         科目编码\t\t\t功能分类科目名称\t项目名称\t项目支出合计\t工资福利支出\t商品和服务支出\t对个人和家庭的补助\t债务利息及费用支出\t资本性支出（基本建设）\t资本性支出\t对企业补助（基本建设）\t对企业补助\t对社会保障基金补助\t其他支出\n\
         类\t款\t项\t\t\t\t\t\t\t\t\t\t\t\t\t\n{rows}"
    ))
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn pdf_text_headings_are_proved_by_their_sums() {
    let ex = pdf_text(
        "总计 100.00 100.00\n\n示例单位本级 60.00 60.00\n\n201 03 01 行政运行 窗口运行经费 35.00 35.00\n\n\
         201 03 01 行政运行 大厅维护经费 25.00 25.00\n\n示例政务服务中心 40.00 40.00\n\n\
         201 03 99 其他政府办公厅（室）及相关机构事务支出 政务热线服务费 40.00 40.00",
    );
    let k = keys(&ex);
    assert_eq!(k[0], (Some(0), None, "总计".to_string()));
    assert_eq!(k[1], (Some(0), some("示例单位本级"), "示例单位本级".to_string()));
    assert_eq!(k[2].1, some("示例单位本级"));
    assert_eq!(k[3].1, some("示例单位本级"));
    assert_eq!(k[4], (Some(0), some("示例政务服务中心"), "示例政务服务中心".to_string()));
    assert_eq!(k[5].1, some("示例政务服务中心"));
    assert!(ex.checks.iter().all(|c| c.status != CheckStatus::Fail), "{:#?}", ex.checks);
}

#[test]
fn pdf_text_projects_without_codes_are_not_headings() {
    // No row heads a group: 25.00 is not the sum of what follows it, and a grouping that made it
    // one would not add up to the total.
    let ex = pdf_text(
        "合计 75.00 75.00\n\n窗口运行经费 25.00 25.00\n\n大厅维护经费 25.00 25.00\n\n政务热线服务费 25.00 25.00",
    );
    let k = keys(&ex);
    for (i, name) in ["窗口运行经费", "大厅维护经费", "政务热线服务费"].iter().enumerate() {
        assert_eq!(k[i + 1], (None, None, name.to_string()), "{k:?}");
    }
    assert!(ex.checks.iter().any(|c| c.check_id == "hierarchy" && c.status == CheckStatus::Pass), "{:#?}", ex.checks);
}

#[test]
fn markdown_headings_are_proved_by_their_sums() {
    let ex = markdown(
        "\t\t\t\t合计\t100\t\t100\t\t\t\t\t\t\t\t\n\
         \t\t\t示例单位本级\t\t60\t\t60\t\t\t\t\t\t\t\t\n\
         201\t3\t1\t行政运行\t窗口运行经费\t60\t\t60\t\t\t\t\t\t\t\t\n\
         \t\t\t示例政务服务中心\t\t40\t\t40\t\t\t\t\t\t\t\t\n\
         201\t3\t99\t其他政府办公厅（室）及相关机构事务支出\t政务热线服务费\t40\t\t40\t\t\t\t\t\t\t\t\n",
    );
    let k = keys(&ex);
    assert_eq!(k[1], (Some(0), some("示例单位本级"), "示例单位本级".to_string()), "{k:?}");
    assert_eq!(k[2].1, some("示例单位本级"));
    assert_eq!(k[3].1, some("示例政务服务中心"));
    assert_eq!(k[4].1, some("示例政务服务中心"));
}

#[test]
fn markdown_projects_without_codes_are_not_headings() {
    let ex = markdown(
        "\t\t\t\t合计\t75\t\t75\t\t\t\t\t\t\t\t\n\
         \t\t\t窗口运行经费\t\t25\t\t25\t\t\t\t\t\t\t\t\n\
         \t\t\t大厅维护经费\t\t25\t\t25\t\t\t\t\t\t\t\t\n\
         \t\t\t政务热线服务费\t\t25\t\t25\t\t\t\t\t\t\t\t\n",
    );
    let k = keys(&ex);
    for (i, name) in ["窗口运行经费", "大厅维护经费", "政务热线服务费"].iter().enumerate() {
        assert_eq!(k[i + 1], (None, None, name.to_string()), "{k:?}");
    }
}

/// The regressions issue 12 named: a heading printed with the unit's own name, in the project
/// column, or wrapped, is a heading and its rows carry it.
#[test]
fn pdf_text_a_heading_named_as_the_department_is_a_heading() {
    let ex = pdf_text(
        "总计 100.00 100.00\n\n示例单位 60.00 60.00\n\n201 03 01 行政运行 窗口运行经费 35.00 35.00\n\n\
         201 03 01 行政运行 大厅维护经费 25.00 25.00\n\n示例政务服务中心 40.00 40.00\n\n\
         201 03 99 其他政府办公厅（室）及相关机构事务支出 政务热线服务费 40.00 40.00",
    );
    let k = keys(&ex);
    assert_eq!(k[1], (Some(0), some("示例单位"), "示例单位".to_string()), "{k:?}");
    assert_eq!(k[2].1, some("示例单位"), "{k:?}");
}

#[test]
fn markdown_a_heading_in_the_project_name_column_is_a_heading() {
    let ex = markdown(
        "\t\t\t\t合计\t100\t\t100\t\t\t\t\t\t\t\t\n\
         \t\t\t\t示例单位本级\t60\t\t60\t\t\t\t\t\t\t\t\n\
         201\t3\t1\t行政运行\t窗口运行经费\t60\t\t60\t\t\t\t\t\t\t\t\n\
         \t\t\t\t示例政务服务中心\t40\t\t40\t\t\t\t\t\t\t\t\n\
         201\t3\t99\t其他政府办公厅（室）及相关机构事务支出\t政务热线服务费\t40\t\t40\t\t\t\t\t\t\t\t\n",
    );
    let k = keys(&ex);
    assert_eq!(k[1], (Some(0), some("示例单位本级"), "示例单位本级".to_string()), "{k:?}");
    assert_eq!(k[2].1, some("示例单位本级"), "{k:?}");
}

#[test]
fn pdf_text_a_wrapped_heading_name_stays_a_heading() {
    let ex = pdf_text(
        "总计 100.00 100.00\n\n示例单位本级 60.00 60.00\n\n201 03 01 行政运行 窗口运行经费 35.00 35.00\n\n\
         201 03 01 行政运行 大厅维护经费 25.00 25.00\n\n示例政务服务中心（示例市 40.00 40.00\n\n热线中心）\n\n\
         201 03 99 其他政府办公厅（室）及相关机构事务支出 政务热线服务费 40.00 40.00",
    );
    let k = keys(&ex);
    let heading = "示例政务服务中心（示例市热线中心）".to_string();
    assert_eq!(k[4], (Some(0), Some(heading.clone()), heading.clone()), "{k:?}");
    assert_eq!(k[5].1, Some(heading), "{k:?}");
}
