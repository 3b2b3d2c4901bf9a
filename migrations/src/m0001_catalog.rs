//! The catalog and markets: products, variants, options, images, collections,
//! translations, markets with prices, warehouses with stock.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_catalog"
    }
}

fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

/// A foreign key that removes the child rows with their parent.
fn cascade(
    table: &'static str,
    col: &'static str,
    parent: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(n(table), n(col))
        .to(n(parent), n("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A foreign key that forgets the reference when the parent row goes.
fn set_null(
    table: &'static str,
    col: &'static str,
    parent: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(n(table), n(col))
        .to(n(parent), n("id"))
        .on_delete(ForeignKeyAction::SetNull)
        .to_owned()
}

/// Per-locale text of a product or collection, with its own slug for the locale's URLs.
fn translation_table(
    table: &'static str,
    owner_col: &'static str,
    owner: &'static str,
) -> TableCreateStatement {
    Table::create()
        .table(n(table))
        .col(pk_auto(n("id")))
        .col(integer(n(owner_col)))
        .col(string_len(n("locale"), 16))
        .col(string(n("title")))
        .col(text(n("description_html")))
        .col(string(n("slug")))
        .col(string_null(n("seo_title")))
        .col(text_null(n("seo_description")))
        .foreign_key(&mut cascade(table, owner_col, owner))
        .to_owned()
}

fn unique_index(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(n(table)).unique();
    for c in cols {
        idx.col(n(c));
    }
    idx.to_owned()
}

fn index(table: &'static str, name: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(n(table));
    for c in cols {
        idx.col(n(c));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(n("shop"))
                .col(pk_auto(n("id")))
                .col(string(n("name")))
                .col(string_len(n("base_currency"), 3))
                .col(string_len(n("default_locale"), 16))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(n("market"))
                .col(pk_auto(n("id")))
                .col(string_len_uniq(n("code"), 16))
                .col(json(n("name")))
                .col(string_len(n("currency"), 3))
                // Locales whose shoppers get this market by default, the first being its own.
                .col(string(n("locales")))
                .col(text(n("countries")))
                .col(boolean(n("tax_inclusive")))
                .col(big_integer(n("rate_scaled")))
                .col(date(n("rate_date")))
                .col(string_len(n("rounding"), 32))
                .col(integer(n("position")))
                .col(boolean(n("enabled")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(n("collection"))
                .col(pk_auto(n("id")))
                .col(string_uniq(n("handle")))
                .col(integer(n("position")))
                .col(boolean(n("featured")))
                .col(timestamp_with_time_zone(n("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_table(translation_table(
            "collection_translation",
            "collection_id",
            "collection",
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(n("product"))
                .col(pk_auto(n("id")))
                .col(string_uniq(n("handle")))
                .col(string(n("vendor")))
                .col(string(n("product_type")))
                .col(string_len(n("status"), 16))
                .col(text(n("tags")))
                .col(timestamp_with_time_zone(n("created_at")))
                .col(timestamp_with_time_zone(n("updated_at")))
                .to_owned(),
        )
        .await?;
        m.create_table(translation_table(
            "product_translation",
            "product_id",
            "product",
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(n("collection_product"))
                .col(integer(n("collection_id")))
                .col(integer(n("product_id")))
                .col(integer(n("position")))
                .primary_key(Index::create().col(n("collection_id")).col(n("product_id")))
                .foreign_key(&mut cascade(
                    "collection_product",
                    "collection_id",
                    "collection",
                ))
                .foreign_key(&mut cascade("collection_product", "product_id", "product"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(n("product_option"))
                .col(pk_auto(n("id")))
                .col(integer(n("product_id")))
                .col(integer(n("position")))
                .col(json(n("name")))
                .foreign_key(&mut cascade("product_option", "product_id", "product"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(n("option_value"))
                .col(pk_auto(n("id")))
                .col(integer(n("option_id")))
                .col(integer(n("position")))
                .col(json(n("label")))
                .foreign_key(&mut cascade("option_value", "option_id", "product_option"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(n("product_image"))
                .col(pk_auto(n("id")))
                .col(integer(n("product_id")))
                .col(integer(n("position")))
                .col(string(n("file")))
                .col(integer(n("width")))
                .col(integer(n("height")))
                .col(json(n("alt")))
                .foreign_key(&mut cascade("product_image", "product_id", "product"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(n("variant"))
                .col(pk_auto(n("id")))
                .col(integer(n("product_id")))
                .col(integer(n("position")))
                .col(string_uniq(n("sku")))
                .col(string_null(n("barcode")))
                .col(integer_null(n("option1")))
                .col(integer_null(n("option2")))
                .col(integer_null(n("option3")))
                .col(big_integer(n("price_minor")))
                .col(big_integer_null(n("compare_at_minor")))
                .col(integer(n("weight_grams")))
                .col(string_len_null(n("hs_code"), 16))
                .col(string_len_null(n("country_of_origin"), 2))
                .col(string_null(n("packaging_material")))
                .col(boolean(n("packaging_recyclable")))
                .col(integer_null(n("image_id")))
                .foreign_key(&mut cascade("variant", "product_id", "product"))
                .foreign_key(&mut set_null("variant", "option1", "option_value"))
                .foreign_key(&mut set_null("variant", "option2", "option_value"))
                .foreign_key(&mut set_null("variant", "option3", "option_value"))
                .foreign_key(&mut set_null("variant", "image_id", "product_image"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(n("warehouse"))
                .col(pk_auto(n("id")))
                .col(string_uniq(n("code")))
                .col(string(n("name")))
                .col(string_len(n("country"), 2))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(n("stock_level"))
                .col(integer(n("variant_id")))
                .col(integer(n("warehouse_id")))
                .col(integer(n("on_hand")))
                .col(integer(n("reserved")))
                .primary_key(Index::create().col(n("variant_id")).col(n("warehouse_id")))
                .foreign_key(&mut cascade("stock_level", "variant_id", "variant"))
                .foreign_key(&mut cascade("stock_level", "warehouse_id", "warehouse"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(n("price_override"))
                .col(integer(n("market_id")))
                .col(integer(n("variant_id")))
                .col(big_integer(n("amount_minor")))
                .col(big_integer_null(n("compare_at_minor")))
                .primary_key(Index::create().col(n("market_id")).col(n("variant_id")))
                .foreign_key(&mut cascade("price_override", "market_id", "market"))
                .foreign_key(&mut cascade("price_override", "variant_id", "variant"))
                .to_owned(),
        )
        .await?;

        for idx in [
            unique_index(
                "product_translation",
                "ux_product_translation_owner",
                &["product_id", "locale"],
            ),
            unique_index(
                "product_translation",
                "ux_product_translation_slug",
                &["locale", "slug"],
            ),
            unique_index(
                "collection_translation",
                "ux_collection_translation_owner",
                &["collection_id", "locale"],
            ),
            unique_index(
                "collection_translation",
                "ux_collection_translation_slug",
                &["locale", "slug"],
            ),
            // A URL's slug is first looked up in every locale (to redirect to the canonical one).
            index(
                "product_translation",
                "ix_product_translation_slug",
                &["slug"],
            ),
            index(
                "collection_translation",
                "ix_collection_translation_slug",
                &["slug"],
            ),
            index("product", "ix_product_status", &["status", "created_at"]),
            index(
                "collection_product",
                "ix_collection_product_product",
                &["product_id"],
            ),
            index(
                "collection_product",
                "ix_collection_product_position",
                &["collection_id", "position", "product_id"],
            ),
            index(
                "product_option",
                "ix_product_option_product",
                &["product_id"],
            ),
            index("option_value", "ix_option_value_option", &["option_id"]),
            index("product_image", "ix_product_image_product", &["product_id"]),
            index("variant", "ix_variant_product", &["product_id"]),
            index(
                "price_override",
                "ix_price_override_variant",
                &["variant_id"],
            ),
        ] {
            m.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "price_override",
            "stock_level",
            "warehouse",
            "variant",
            "product_image",
            "option_value",
            "product_option",
            "collection_product",
            "product_translation",
            "product",
            "collection_translation",
            "collection",
            "market",
            "shop",
        ] {
            m.drop_table(Table::drop().table(n(t)).to_owned()).await?;
        }
        Ok(())
    }
}
