//! A market's checkout rules: how it reckons import duties and VAT on a consignment, and
//! how it rounds tax.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub market_id: i32,
    /// Goods worth more than this (before tax, market currency) pay duties.
    pub de_minimis_minor: Option<i64>,
    /// ddp (collected at checkout) or dap (paid on delivery).
    pub duty_mode: String,
    pub ioss_number: String,
    /// `line` (each line's tax rounded) or `total` (once per rate on the order).
    pub tax_rounding: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
