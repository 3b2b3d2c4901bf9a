//! The emails an order sends, rendered in the shopper's language when they are queued: a
//! plain-text part and an HTML part (right to left for Arabic), money in the market's format.

use super::view::OrderView;
use crate::html::escape;
use crate::i18n::{t, t_args};
use crate::locale::Locale;
use crate::money::MoneyStyle;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailKind {
    OrderConfirmation,
    PaymentReceived,
    Shipped,
    /// Money paid back: the newest of the order's refunds.
    Refunded,
    /// A voucher's slip, once Stripe made it.
    Voucher,
}

impl EmailKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::OrderConfirmation => "order-confirmation",
            Self::PaymentReceived => "payment-received",
            Self::Shipped => "shipped",
            Self::Refunded => "refunded",
            Self::Voucher => "voucher",
        }
    }

    /// The message ids of its subject and opening line.
    fn ids(self) -> (&'static str, &'static str) {
        match self {
            Self::OrderConfirmation => ("email-order-subject", "email-order-intro"),
            Self::PaymentReceived => ("email-payment-subject", "email-payment-intro"),
            Self::Shipped => ("email-shipped-subject", "email-shipped-intro"),
            Self::Refunded => ("email-refund-subject", "email-refund-intro"),
            Self::Voucher => ("email-voucher-subject", "email-voucher-intro"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The rows of the money summary: label and amount, as the order was charged.
fn summary(order: &OrderView, locale: Locale, style: MoneyStyle) -> Vec<(String, String)> {
    let t_ = &order.totals;
    let mut rows = vec![(t(locale, "checkout-subtotal"), t_.subtotal.format(style))];
    for d in &t_.discounts {
        rows.push(discount_row(d, locale, style));
    }
    rows.push((t(locale, "checkout-shipping"), t_.shipping.format(style)));
    if t_.fee.minor != 0 {
        rows.push((t(locale, "checkout-fee"), t_.fee.format(style)));
    }
    if t_.duty.minor != 0 {
        rows.push((t(locale, "checkout-duty"), t_.duty.format(style)));
    }
    for tax in &t_.taxes {
        let rate = crate::tax::TaxRate { ppm: tax.rate_ppm }
            .to_string()
            .replace('.', style.decimal_mark());
        rows.push((
            tax_label(locale, t_.inclusive, rate),
            tax.amount.format(style),
        ));
    }
    rows.push((t(locale, "checkout-total"), t_.total.format(style)));
    for r in &order.refunds {
        rows.push((
            t(locale, "order-refunded"),
            format!("\u{2212}{}", r.amount.format(style)),
        ));
    }
    rows
}

/// A discount's row: "Discount (WELCOME10)", "−€4.50".
pub fn discount_row(
    d: &super::view::DiscountLine,
    locale: Locale,
    style: MoneyStyle,
) -> (String, String) {
    let label = if d.code.is_empty() {
        t(locale, "checkout-discount")
    } else {
        t_args(
            locale,
            "checkout-discount-code",
            &[("code", d.code.clone().into())],
        )
    };
    (label, format!("\u{2212}{}", d.amount.format(style)))
}

/// A tax line's label: "Includes 19 % tax" where prices include it, "Tax 8.875 %" where it
/// is added. `rate` is already written with the locale's decimal mark.
pub fn tax_label(locale: Locale, inclusive: bool, rate: String) -> String {
    if inclusive {
        t_args(locale, "checkout-tax-included", &[("rate", rate.into())])
    } else {
        t_args(locale, "checkout-tax-added", &[("rate", rate.into())])
    }
}

/// What to do to pay, for the methods the shopper completes outside the store.
pub fn payment_instructions(order: &OrderView, locale: Locale, style: MoneyStyle) -> String {
    let args = [
        ("total", order.totals.total.format(style).into()),
        ("number", order.number.clone().into()),
    ];
    match order.payment_method.as_str() {
        "bank_transfer" => t_args(locale, "payment-bank_transfer-instructions", &args),
        "cash_on_delivery" => t_args(locale, "payment-cash_on_delivery-instructions", &args),
        method if super::is_voucher(method) => match &order.voucher {
            Some(v) => {
                let args = [args[0].clone(), ("date", v.expires_on.clone().into())];
                t_args(locale, &format!("voucher-{method}-instructions"), &args)
            }
            None => String::new(),
        },
        _ => String::new(),
    }
}

pub fn render(
    kind: EmailKind,
    order: &OrderView,
    locale: Locale,
    style: MoneyStyle,
    link: &str,
) -> Message {
    let store = t(locale, "store-name");
    let (subject_id, intro_id) = kind.ids();
    let subject = t_args(
        locale,
        subject_id,
        &[
            ("number", order.number.clone().into()),
            ("store", store.clone().into()),
        ],
    );
    let refunded = order
        .refunds
        .last()
        .map(|r| r.amount.format(style))
        .unwrap_or_default();
    let intro = t_args(locale, intro_id, &[("amount", refunded.into())]);
    let heading = t_args(
        locale,
        "order-title",
        &[("number", order.number.clone().into())],
    );
    let lines: Vec<(String, String)> = order
        .lines
        .iter()
        .map(|l| {
            (
                format!("{} × {}", l.quantity, l.title),
                l.total.format(style),
            )
        })
        .collect();
    let money = summary(order, locale, style);
    let pay = if matches!(kind, EmailKind::OrderConfirmation | EmailKind::Voucher) {
        payment_instructions(order, locale, style)
    } else {
        String::new()
    };
    let details = if kind == EmailKind::OrderConfirmation && order.payment_method == "bank_transfer"
    {
        order.payment_details.clone()
    } else {
        String::new()
    };
    // A voucher's number and its page at Stripe.
    let slip = order
        .voucher
        .as_ref()
        .filter(|_| kind == EmailKind::Voucher);
    let reference = slip.filter(|v| !v.reference.is_empty()).map(|v| {
        let label = t(
            locale,
            &format!("voucher-{}-reference", order.payment_method),
        );
        format!("{label}: {}", v.reference)
    });
    let open = t(locale, "voucher-open");
    let see = t(locale, "email-status-link");
    let footer = t_args(locale, "email-footer", &[("store", store.clone().into())]);

    let mut text = format!("{heading}\n\n{intro}\n\n");
    for (label, amount) in &lines {
        text.push_str(&format!("{label}: {amount}\n"));
    }
    text.push('\n');
    for (label, amount) in &money {
        text.push_str(&format!("{label}: {amount}\n"));
    }
    if !pay.is_empty() {
        text.push_str(&format!("\n{pay}\n"));
    }
    if !details.is_empty() {
        text.push_str(&format!("{details}\n"));
    }
    if let Some(r) = &reference {
        text.push_str(&format!("{r}\n"));
    }
    if let Some(v) = slip {
        text.push_str(&format!("{open}: {}\n", v.url));
    }
    text.push_str(&format!("\n{see} {link}\n\n-- \n{footer}\n"));

    let row = |label: &str, amount: &str, strong: bool| {
        let (open, close) = if strong {
            ("<strong>", "</strong>")
        } else {
            ("", "")
        };
        format!(
            "<tr><td style=\"padding:4px 8px\">{open}{}{close}</td>\
             <td style=\"padding:4px 8px;text-align:end\">{open}{}{close}</td></tr>",
            escape(label),
            escape(amount)
        )
    };
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head><body style=\"font-family:sans-serif;line-height:1.5\">\
         <h1 style=\"font-size:1.3em\">{heading}</h1><p>{intro}</p><table>",
        lang = locale.code(),
        dir = locale.dir(),
        title = escape(&subject),
        heading = escape(&heading),
        intro = escape(&intro),
    );
    for (label, amount) in &lines {
        html.push_str(&row(label, amount, false));
    }
    html.push_str("</table><table>");
    let last = money.len().saturating_sub(1 + order.refunds.len());
    for (i, (label, amount)) in money.iter().enumerate() {
        html.push_str(&row(label, amount, i == last));
    }
    html.push_str("</table>");
    if !pay.is_empty() {
        html.push_str(&format!("<p>{}</p>", escape(&pay)));
    }
    if !details.is_empty() {
        html.push_str(&format!(
            "<pre style=\"font-family:inherit\">{}</pre>",
            escape(&details)
        ));
    }
    if let Some(r) = &reference {
        html.push_str(&format!("<p><strong>{}</strong></p>", escape(r)));
    }
    if let Some(v) = slip {
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>",
            escape(&v.url),
            escape(&open)
        ));
    }
    html.push_str(&format!(
        "<p>{} <a href=\"{href}\">{href}</a></p><hr><p style=\"color:#555\">{}</p></body></html>",
        escape(&see),
        escape(&footer),
        href = escape(link),
    ));
    Message {
        subject,
        text,
        html,
    }
}
