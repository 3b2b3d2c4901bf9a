// Writes locales/<lang>/countries.ftl: each country the demo markets sell to, named as CLDR
// names it in that language (through Node's ICU). Run again after adding a market's country:
// node scripts/country-names.mjs. Edit the result by hand where a shop prefers another name.
import { writeFileSync } from "node:fs";

const locales = ["en", "zh-CN", "es", "pt-BR", "de", "fr", "ja", "ar", "vi", "id"];
const countries = ("US AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK " +
  "GB JP CN VN ID BR MX AE").split(" ").sort();

for (const locale of locales) {
  const names = new Intl.DisplayNames([locale], { type: "region" });
  let out = `# Country names (CLDR ${process.versions.cldr}), made by scripts/country-names.mjs.\n`;
  for (const c of countries) out += `country-${c} = ${names.of(c)}\n`;
  writeFileSync(new URL(`../locales/${locale}/countries.ftl`, import.meta.url), out);
}
