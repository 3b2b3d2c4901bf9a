use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub handle: String,
    pub vendor: String,
    pub product_type: String,
    /// `draft`, `active` or `archived` (see `catalog::ProductStatus`).
    pub status: String,
    /// Comma separated, lower case.
    pub tags: String,
    /// `standard`, `reduced` or `zero` (`TaxClass`).
    pub tax_class: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::product_translation::Entity")]
    Translation,
    #[sea_orm(has_many = "super::variant::Entity")]
    Variant,
    #[sea_orm(has_many = "super::product_image::Entity")]
    Image,
    #[sea_orm(has_many = "super::product_option::Entity")]
    Option,
    #[sea_orm(has_many = "super::collection_product::Entity")]
    Membership,
}

impl Related<super::product_translation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Translation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
