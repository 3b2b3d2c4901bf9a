search-title = البحث
search-results-for = نتائج البحث عن «{ $query }»
search-empty = اكتب ما تبحث عنه: منتجًا أو لونًا أو رمزًا.
search-no-words = لا يحتوي هذا البحث على كلمات أو رموز. جرّب اسم منتج مثل «إبريق».
search-shortened = تم تقصير بحثك إلى { $max } حرفًا.
search-count = { $count ->
    [zero] لم يُعثر على منتجات
    [one] تم العثور على منتج واحد
    [two] تم العثور على منتجين
    [few] تم العثور على { $count } منتجات
   *[other] تم العثور على { $count } منتجًا
}
search-none = لا توجد نتائج مطابقة. تحقّق من الإملاء، أو استخدم كلمات أقل أو أعمّ، أو تصفّح المجموعات أعلاه.
search-filters = عوامل التصفية
search-label = ابحث في المتجر
search-placeholder = ابحث عن المنتجات
search-submit = بحث
sort-relevance = الأكثر صلة
facet-collection = المجموعة
facet-price = السعر
facet-availability = التوفر
facet-in-stock = متوفر
facet-vendor = العلامة التجارية
facet-type = نوع المنتج
facet-tag = وسم
search-suggest-collection = مجموعة
