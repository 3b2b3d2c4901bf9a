// Writes domain/tests/data/cldr_money.tsv: how CLDR (through Node's ICU) writes amounts in
// every currency for every language-and-country style the store ships. The domain's own
// formatter is tested against this file, so a hand-kept table cannot drift from CLDR.
// Run again after adding a currency or a style: node scripts/cldr-money.mjs
import { writeFileSync } from "node:fs";

const styles = ["en-US", "en-GB", "zh-CN", "es-MX", "es-ES", "pt-BR", "de-DE", "fr-FR", "ja-JP", "ar-AE", "vi-VN", "id-ID"];
// Our exponents (ISO 4217, except IDR, priced in whole rupiah as card networks do).
const currencies = { USD: 2, EUR: 2, GBP: 2, JPY: 0, CNY: 2, VND: 0, IDR: 0, BRL: 2, MXN: 2, AED: 2, SAR: 2, BHD: 3, KWD: 3 };
const amounts = [0n, 5n, 99n, 123456n, 1234567n, 123456789012n, -123456n];

const decimal = (minor, exp) => {
  const sign = minor < 0n ? "-" : "";
  const abs = (minor < 0n ? -minor : minor).toString().padStart(exp + 1, "0");
  return exp === 0 ? sign + abs : `${sign}${abs.slice(0, -exp)}.${abs.slice(-exp)}`;
};

let out = `# style\tcurrency\tminor units\tCLDR ${process.versions.cldr} (ICU ${process.versions.icu}); made by scripts/cldr-money.mjs\n`;
for (const style of styles) {
  for (const [code, exp] of Object.entries(currencies)) {
    const f = new Intl.NumberFormat(style, { style: "currency", currency: code, minimumFractionDigits: exp, maximumFractionDigits: exp });
    for (const minor of amounts) out += `${style}\t${code}\t${minor}\t${f.format(decimal(minor, exp))}\n`;
  }
}
writeFileSync(new URL("../domain/tests/data/cldr_money.tsv", import.meta.url), out);
