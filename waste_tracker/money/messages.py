"""User-facing messages (zh-CN, en) for the contract, payment and invoice error codes."""

from waste_tracker.i18n import register

register(
    {
        "no_active_contract": {
            "zh-CN": "移出人与接受人之间没有在 {date} 有效、覆盖这些废物的书面合同（未覆盖：{uncovered_codes}）。"
            "请先在“合同”中登记合同。",
            "en": "There is no written contract between the generator and the receiver valid on {date} covering these "
            "wastes (not covered: {uncovered_codes}). Register the contract under Contracts first.",
        },
        "contract_party_invalid": {
            "zh-CN": "合同的对方单位必须是{expected}。",
            "en": "The other party of the contract must be a {expected}.",
        },
        "contract_terminated": {
            "zh-CN": "该合同已于 {terminated_on} 终止。",
            "en": "This contract was terminated on {terminated_on}.",
        },
        "contract_superseded": {
            "zh-CN": "该合同已被更正后的版本取代，请对最新版本操作。",
            "en": "This contract has been replaced by a corrected version; act on the latest one.",
        },
        "contract_file_too_large": {
            "zh-CN": "合同文件过大（{size} 字节，上限 {max} 字节）。",
            "en": "The contract file is too large ({size} bytes; the limit is {max}).",
        },
        "contract_file_type": {
            "zh-CN": "合同文件须为 PDF、JPEG 或 PNG。",
            "en": "The contract file must be a PDF, JPEG or PNG.",
        },
        "amount_out_of_range": {
            "zh-CN": "金额须大于 0 且不超过 {max} 元（收到 {value}）。",
            "en": "The amount must be above 0 and at most CNY {max} (got {value}).",
        },
        "payee_required": {
            "zh-CN": "收款方须填写统一社会信用代码（单位）或姓名（个人）。",
            "en": "Give the payee's unified social credit code (an organisation) or name (a person).",
        },
        "manifest_not_payable": {
            "zh-CN": "联单 {manifest_id} 不属于付款方或收款方，不能关联。",
            "en": "Manifest {manifest_id} is not one of the payer's or payee's; it cannot be linked.",
        },
        "invoice_number_taken": {
            "zh-CN": "发票号 {number} 已登记。",
            "en": "Invoice number {number} is already recorded.",
        },
        "invalid_bank_csv": {
            "zh-CN": "银行流水文件有误：{reason}。",
            "en": "The bank statement file has errors: {reason}.",
        },
        "bank_csv_encoding": {
            "zh-CN": "无法识别文件编码（只支持 UTF-8 和 GB18030/GBK）。",
            "en": "The file's encoding is not recognised (UTF-8 and GB18030/GBK only).",
        },
    }
)
