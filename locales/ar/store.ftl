store-name = Tradewind
nav-skip = انتقل إلى المحتوى
nav-home = الرئيسية
nav-collections = المجموعات
nav-breadcrumbs = مسار التنقل
nav-pagination = الصفحات
switch-language = اللغة
switch-market = البلد أو المنطقة
switch-market-apply = تحديث
home-title = صُنع في الصين، ويصل إلى باب منزلك
home-tagline = خزف ومنسوجات وأدوات ورقية من ورش صغيرة، بأسعار بعملتك.
home-see-all = عرض المجموعة كاملة
home-all-collections = كل المجموعات
collection-count = { $count ->
    [zero] لا منتجات
    [one] منتج واحد
    [two] منتجان
    [few] { $count } منتجات
   *[other] { $count } منتجًا
}
sort-label = الترتيب حسب
sort-apply = ترتيب
sort-featured = المميزة
sort-price-asc = السعر من الأقل إلى الأعلى
sort-price-desc = السعر من الأعلى إلى الأقل
sort-newest = الأحدث
page-previous = الصفحة السابقة
page-next = الصفحة التالية
page-status = الصفحة { $page } من { $pages }
price-from = ابتداءً من { $price }
price-tax-included = شامل الضريبة.
price-tax-excluded = تُحسب الضرائب عند الدفع.
stock-in-stock = متوفر
stock-few-left = بقي { $count } فقط
stock-sold-out = نفدت الكمية
variant-show = عرض هذا الخيار
variant-unavailable = هذه التركيبة غير متاحة
product-sku = رمز المنتج
product-description = الوصف
product-vendor = الصانع
product-weight = الوزن
translation-fallback = لم تُترجم هذه الصفحة بعد، لذا تُعرض باللغة { $language }.
not-found-title = الصفحة غير موجودة
not-found-body = الصفحة التي تبحث عنها غير موجودة أو تم نقلها.
not-found-home = العودة إلى الصفحة الرئيسية
error-unavailable-title = المتجر غير متاح مؤقتًا
error-unavailable-body = يُرجى المحاولة مرة أخرى بعد قليل. سلتك وحسابك في أمان.
footer-prices = تُعرض الأسعار بعملة { $currency }.
footer-note = Tradewind — متجر مستضاف ذاتيًا.

price-tax-included-rate = شامل ضريبة بنسبة { $rate }% ({ $amount }) للتوصيل إلى { $country }.
price-tax-added-rate = تُضاف عند الدفع ضريبة بنسبة { $rate }% ({ $amount }) للتوصيل إلى { $country }.
country-unknown = لا نوصّل إلى هذا البلد أو المنطقة بعد. يُرجى الاختيار من القائمة.
form-expired = انتهت صلاحية هذا النموذج. ارجع وأعد تحميل الصفحة ثم حاول مرة أخرى.
form-problem-title = تعذّر إتمام العملية
form-back = العودة إلى الصفحة السابقة
error-invalid-body = هناك خطأ في الطلب. يُرجى التحقق منه والمحاولة مرة أخرى.
error-conflict-body = تم تغيير هذا في هذه الأثناء. يُرجى إعادة تحميل الصفحة والمحاولة مرة أخرى.
