use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "variant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub product_id: i32,
    pub position: i32,
    #[sea_orm(unique)]
    pub sku: String,
    pub barcode: Option<String>,
    pub option1: Option<i32>,
    pub option2: Option<i32>,
    pub option3: Option<i32>,
    /// In the shop's base currency.
    pub price_minor: i64,
    pub compare_at_minor: Option<i64>,
    pub weight_grams: i32,
    /// Harmonized System code, for duties.
    pub hs_code: Option<String>,
    /// ISO 3166 alpha-2.
    pub country_of_origin: Option<String>,
    pub packaging_material: Option<String>,
    pub packaging_recyclable: bool,
    pub image_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::product::Entity",
        from = "Column::ProductId",
        to = "super::product::Column::Id"
    )]
    Product,
}

impl Related<super::product::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
