use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "option_value")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub option_id: i32,
    pub position: i32,
    /// `{locale: label}`.
    pub label: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::product_option::Entity",
        from = "Column::OptionId",
        to = "super::product_option::Column::Id"
    )]
    Option,
}

impl ActiveModelBehavior for ActiveModel {}
