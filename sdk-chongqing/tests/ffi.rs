//! Every described transaction through the test library (`chongqing-sandbox-dll`, built here
//! with the DLL's C ABI) over FFI: typed request → GBK line → `BUSINESS_HANDLE` → answer buffer
//! → typed answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use sdk_chongqing::jiaoyi::{
    self, Transactions as _, t01, t02, t03, t04, t05, t06, t07, t10, t11, t99,
};
use sdk_chongqing::{Client, DllTransport, Error, TransportError};
use sdk_runtime::Decimal;
use sdk_runtime::xml::XmlText as _;

/// Builds the test library once (the same cargo, the same target folder) and returns its path.
fn library() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        let out = Command::new(env!("CARGO"))
            .current_dir(&root)
            .args([
                "build",
                "-q",
                "-p",
                "chongqing-sandbox-dll",
                "--message-format=json",
            ])
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "building the test library failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| {
                m["reason"] == "compiler-artifact" && m["target"]["name"] == "chongqing_sandbox_dll"
            })
            .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(PathBuf::from))
            .find(|f| {
                f.extension()
                    .is_some_and(|e| e == "so" || e == "dll" || e == "dylib")
            })
            .expect("the build names the library")
    })
    .clone()
}

fn d(s: &str) -> Decimal {
    Decimal::from_xml_text(s).unwrap()
}

#[test]
fn every_described_transaction_round_trips_through_the_library() {
    let client = Client::new(DllTransport::load(library()).unwrap());
    client.init().unwrap();

    // 01: Chinese text both ways, positions 5 and 6 skipped but kept in `raw`.
    let p = client
        .ren_yuan_xin_xi(&t01::Request::new("A1234567".to_owned()))
        .unwrap();
    assert_eq!(p.xing_ming.as_deref(), Some("张三"));
    assert_eq!(p.xing_bie.as_deref(), Some("男"));
    assert_eq!(p.nian_ling, Some(45));
    assert_eq!(p.ren_yuan_lei_bie.as_deref(), Some("在职"));
    assert_eq!(
        p.dan_wei_ming_cheng.as_deref(),
        Some("重庆沙盒科技有限公司")
    );
    assert_eq!(
        p.feng_suo_zhuang_tai,
        Some(t01::FengSuoZhuangTai::ZhengChang)
    );
    assert_eq!(p.raw.len(), 13);
    assert_eq!(p.raw.get(5), Some("19790101"));
    let debug = format!("{p:?}");
    assert!(
        !debug.contains("张三") && !debug.contains("500101197901011234"),
        "{debug}"
    );
    let blocked = client
        .ren_yuan_xin_xi(&t01::Request::new("B7654321".to_owned()))
        .unwrap();
    assert_eq!(
        blocked.feng_suo_zhuang_tai,
        Some(t01::FengSuoZhuangTai::KaFengSuo)
    );
    assert_eq!(
        blocked.feng_suo_xin_xi.as_deref(),
        Some("卡已封锁,请到医保中心处理")
    );

    // 07, 11.
    let sp = client
        .te_shu_bing_shen_pi(&t07::Request::new("A1234567".to_owned()))
        .unwrap();
    assert_eq!(sp.shen_pi_bing_zhong, vec!["M01 高血压", "M02 糖尿病"]);
    let h = client.yi_yuan_xin_xi(&t11::Request::new()).unwrap();
    assert_eq!(h.yi_yuan_bian_ma.as_deref(), Some("500112001"));

    // 02 → 03 → 04 × 3 → 06 → 05 → 99 → 10.
    let day = time::Date::from_calendar_date(2026, time::Month::December, 7).unwrap();
    let reg = client
        .jiu_zhen_deng_ji(&t02::Request::new(
            "MZ20261207001".to_owned(),
            t02::YiLiaoLeiBie::JiZhen,
            "A1234567".to_owned(),
            "内科".to_owned(),
            "王医生".to_owned(),
            day,
            "J06.9 急性上呼吸道感染".to_owned(),
            "收费员甲".to_owned(),
            "0".to_owned(),
        ))
        .unwrap();
    assert!(reg.shun_xu_hao.as_deref().unwrap().starts_with("SX"));
    assert_eq!(reg.zhang_hu_yu_e, Some(d("1234.50")));
    let mut upd = t03::Request::new(
        "MZ20261207001".to_owned(),
        "0001000000".to_owned(),
        "收费员甲".to_owned(),
    );
    upd.yi_sheng = Some("李医生".to_owned());
    client.geng_xin_jiu_zhen_xin_xi(&upd).unwrap();
    let at = time::PrimitiveDateTime::new(day, time::Time::from_hms(9, 30, 0).unwrap());
    let line = |item: &str, name: &str, price: &str, qty: &str, amount: &str| {
        t04::Request::new(
            "MZ20261207001".to_owned(),
            "CF0001".to_owned(),
            at,
            item.to_owned(),
            "HIS-1".to_owned(),
            name.to_owned(),
            d(price),
            d(qty),
            false,
            "王医生".to_owned(),
            "收费员甲".to_owned(),
            "盒".to_owned(),
            "0.25g*24".to_owned(),
            "胶囊".to_owned(),
            d(amount),
        )
    };
    let a = client
        .tian_jia_chu_fang_ming_xi(&line("X001", "阿莫西林胶囊", "12.5", "2", "25"))
        .unwrap();
    assert_eq!(a.he_zhun_dan_jia, Some(d("12.50")));
    assert_eq!(
        a.shen_pi_biao_zhi,
        Some(t04::ShenPiBiaoZhi::Unknown("0".to_owned()))
    );
    let z = client
        .tian_jia_chu_fang_ming_xi(&line("Z900", "自费保健品", "100", "1", "100"))
        .unwrap();
    assert_eq!(
        z.shen_pi_biao_zhi,
        Some(t04::ShenPiBiaoZhi::XuShenPiWeiShenPi)
    );
    let b = client
        .tian_jia_chu_fang_ming_xi(&line("X002", "布洛芬缓释胶囊", "8.4", "1", "8.4"))
        .unwrap();
    client
        .chong_xiao(&t99::Request::new(
            b.ming_xi_liu_shui_hao.clone().unwrap(),
            "收费员甲".to_owned(),
        ))
        .unwrap();
    let pre = client
        .yu_jie_suan(&t06::Request::new("MZ20261207001".to_owned()))
        .unwrap();
    assert_eq!(
        (pre.tong_chou, pre.ge_ren_zhang_hu, pre.quan_zi_fei),
        (Some(d("17.50")), Some(d("7.50")), Some(d("100.00")))
    );
    let mut settle = t05::Request::new(
        "MZ20261207001".to_owned(),
        t05::JieSuanBiaoZhi::MenZhen,
        "收费员甲".to_owned(),
        "0".to_owned(),
    );
    settle.zhu_yuan_chuang_ri = None;
    let s = client.jie_suan(&settle).unwrap();
    assert_eq!(s.tong_chou_zhi_fu, Some(d("17.50")));
    assert_eq!(s.ge_ren_zhang_hu, Some(d("7.50")));
    assert_eq!(s.da_e_tong_chou, Some(d("0.00")));
    // Settled: a second settlement is refused with the centre's message, in Chinese.
    match client.jie_suan(&settle) {
        Err(Error::Business {
            transaction: "05",
            message,
            ..
        }) => assert_eq!(message, "该就诊已结算"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    client
        .chong_xiao(&t99::Request::new(
            s.jie_suan_liu_shui_hao.clone().unwrap(),
            "收费员甲".to_owned(),
        ))
        .unwrap();
    client
        .chu_fang_tui_fang(&t10::Request::new(
            "MZ20261207001".to_owned(),
            "MZ20261207001".to_owned(),
        ))
        .unwrap();
    let after = client
        .yu_jie_suan(&t06::Request::new("MZ20261207001".to_owned()))
        .unwrap();
    assert_eq!(after.tong_chou, Some(d("0.00")));
}

#[test]
fn undescribed_transactions_pass_raw_fields() {
    let client = Client::new(DllTransport::load(library()).unwrap());
    for (code, _, _) in jiaoyi::TRANSACTIONS {
        assert!(code.len() == 2, "{code}");
    }
    let r = client
        .dui_zhang_ming_xi(&jiaoyi::t15::Request::new(vec![
            "1".to_owned(),
            "2026-12-01".to_owned(),
            "对账".to_owned(),
        ]))
        .unwrap();
    assert_eq!(r.fields, vec!["1", "2026-12-01", "对账"]);
}

#[test]
fn return_codes_and_refusals_are_typed() {
    let client = Client::new(DllTransport::load(library()).unwrap());
    // A business refusal (status -1) with its message.
    match client.ren_yuan_xin_xi(&t01::Request::new("C0000000".to_owned())) {
        Err(Error::Business { message, .. }) => assert_eq!(message, "无此参保人员信息"),
        other => panic!("{other:?}"),
    }
    // The interface's failure: return code -1.
    match client.ren_yuan_xin_xi(&t01::Request::new(
        sdk_chongqing::sandbox::NETWORK_FAILURE.to_owned(),
    )) {
        Err(Error::Interface {
            code: -1, message, ..
        }) => assert_eq!(message, "与前置机通讯失败"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_input_is_refused_before_the_library_is_called() {
    let client = Client::new(DllTransport::load(library()).unwrap());
    let day = time::Date::from_calendar_date(2026, time::Month::December, 7).unwrap();
    let mut reg = t02::Request::new(
        "MZ|1".to_owned(),
        t02::YiLiaoLeiBie::JiZhen,
        "A1234567".to_owned(),
        "内科".to_owned(),
        "王医生".to_owned(),
        day,
        "J06.9".to_owned(),
        "收费员甲".to_owned(),
        "0".to_owned(),
    );
    let e = client.jiu_zhen_deng_ji(&reg).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput(v) if v.to_string().contains("separator")),
        "{e}"
    );
    // 30 bytes of GBK at most: 16 Chinese characters are 32.
    reg.jiu_zhen_hao = "MZ1".to_owned();
    reg.ke_shi = "内".repeat(16);
    let e = client.jiu_zhen_deng_ji(&reg).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput(v) if v.to_string().contains("32 bytes")),
        "{e}"
    );
    // A character GBK lacks.
    reg.ke_shi = "内科😀".to_owned();
    let e = client.jiu_zhen_deng_ji(&reg).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput(v) if v.to_string().contains("GBK")),
        "{e}"
    );
    // A price with more digits than its format.
    let at = time::PrimitiveDateTime::new(day, time::Time::MIDNIGHT);
    let line = t04::Request::new(
        "MZ1".to_owned(),
        "CF".to_owned(),
        at,
        "X".to_owned(),
        "H".to_owned(),
        "N".to_owned(),
        d("1.23456"),
        d("1"),
        false,
        "D".to_owned(),
        "O".to_owned(),
        "U".to_owned(),
        "S".to_owned(),
        "F".to_owned(),
        d("1"),
    );
    let e = client.tian_jia_chu_fang_ming_xi(&line).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput(v) if v.to_string().contains("4 fraction digits")),
        "{e}"
    );
    // The update mask's pattern.
    let upd = t03::Request::new("MZ1".to_owned(), "12".to_owned(), "O".to_owned());
    assert!(matches!(
        client.geng_xin_jiu_zhen_xin_xi(&upd),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn an_answer_larger_than_the_buffer_is_refused() {
    // The test library writes at most 4000 bytes; with a 16-byte buffer an answer reaches the
    // guard area behind it and is refused instead of read.
    let client = Client::new(
        DllTransport::load(library())
            .unwrap()
            .with_output_capacity(16),
    );
    match client.ren_yuan_xin_xi(&t01::Request::new("A1234567".to_owned())) {
        Err(Error::Transport(TransportError::OutputOverflow { capacity: 16 })) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_library_or_function_is_a_typed_error() {
    match DllTransport::load("/nonexistent/SiInterface.dll") {
        Err(TransportError::Library { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_business_call_before_init_fails_in_the_interface() {
    use sdk_chongqing::Transport as _;
    let t = sdk_chongqing::sandbox::InProcess::new();
    let (code, out) = t.business_handle(b"11").unwrap();
    assert_eq!(code, -1);
    let (text, _, _) = encoding_rs_gbk(&out);
    assert!(text.contains("INIT"), "{text}");
    // The client calls INIT first by itself.
    let client = Client::new(t);
    assert_eq!(
        client
            .yi_yuan_xin_xi(&t11::Request::new())
            .unwrap()
            .yi_yuan_bian_ma
            .as_deref(),
        Some("500112001")
    );
}

fn encoding_rs_gbk(bytes: &[u8]) -> (String, (), ()) {
    let (text, _) = jiaoyi::PROTOCOL.encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), (), ())
}
