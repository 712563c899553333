"""Management plans (管理计划, HJ 1259-2022 §5): per site, year and kind of waste; filed by
31 March, accepted by the site's county bureau with a filing number; manifests follow them."""
