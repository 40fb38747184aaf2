//! A stand-in for the Chongqing interface with fictitious data, at the level of the library's
//! two functions: bytes in, return code and bytes out, in GBK.
//!
//! [`InProcess`] serves it to a [`Client`](crate::Client) without any library; the workspace's
//! `chongqing-sandbox-dll` crate exports the same [`Sandbox`] as `INIT` and `BUSINESS_HANDLE`
//! with the vendor DLL's C ABI, so that the FFI path is tested on Linux.
//!
//! | 医保号 | person | 01 answer |
//! |---|---|---|
//! | `A1234567` | 张三, 男, 45, 在职, account balance 1234.50, special diseases M01 高血压 and M02 糖尿病 | block status 0 |
//! | `B7654321` | 李四, 女, 68, 退休 | block status 2, 卡已封锁 (02 is refused) |
//! | `NETFAIL0` | — | return code -1 (communication with the front-end server failed) |
//! | any other | — | status -1, 无此参保人员信息 |
//!
//! Visits (02) are kept until reversed (99); charge lines (04) whose centre item code starts
//! with `Z` need an approval they lack (审批标志 2) and are self-paid; the pooled fund pays 70 %
//! of the other lines and the personal account the rest up to its balance (06, 05). Every
//! business call before `INIT` fails with return code -1. Transactions whose fields are not
//! known (08, 09, 12–30) are answered with their own fields echoed, so their raw path can be
//! exercised. **These rules are the sandbox's own**, not the centre's.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::jiaoyi::PROTOCOL;
use crate::transport::{Transport, TransportError};

/// The longest answer the sandbox writes (bytes, without the NUL); longer ones are cut, as a
/// library with a fixed internal buffer would.
pub const MAX_ANSWER: usize = 4000;

/// An insurance number whose calls fail in the interface (return code -1).
pub const NETWORK_FAILURE: &str = "NETFAIL0";

struct Person {
    yi_bao_hao: &'static str,
    fields: [&'static str; 12],
    balance_cents: i128,
    diseases: &'static [&'static str],
}

const PEOPLE: &[Person] = &[
    Person {
        yi_bao_hao: "A1234567",
        fields: [
            "张三",
            "男",
            "45",
            "500101197901011234",
            "19790101",
            "",
            "在职",
            "0",
            "重庆沙盒科技有限公司",
            "500000",
            "0",
            "",
        ],
        balance_cents: 123_450,
        diseases: &["M01 高血压", "M02 糖尿病"],
    },
    Person {
        yi_bao_hao: "B7654321",
        fields: [
            "李四",
            "女",
            "68",
            "500102195601021234",
            "19560102",
            "",
            "退休",
            "1",
            "重庆沙盒机械厂",
            "500000",
            "2",
            "卡已封锁,请到医保中心处理",
        ],
        balance_cents: 0,
        diseases: &[],
    },
];

#[derive(Default)]
struct Visit {
    yi_bao_hao: String,
    /// Serial → (amount in ten-thousandths, self-paid).
    lines: BTreeMap<String, (i128, bool)>,
    settled: Option<String>,
}

#[derive(Default)]
struct State {
    initialised: bool,
    next: u64,
    visits: BTreeMap<String, Visit>,
}

/// The interface's behaviour, with its own state.
#[derive(Default)]
pub struct Sandbox {
    state: Mutex<State>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").finish_non_exhaustive()
    }
}

type Answer = Result<Vec<String>, String>;

impl Sandbox {
    /// A sandbox with no visits, not initialised.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `INIT()`: 0.
    pub fn init(&self) -> i32 {
        self.lock().initialised = true;
        0
    }

    /// `BUSINESS_HANDLE`: the return code and the answer line (GBK, at most [`MAX_ANSWER`]
    /// bytes, no NUL).
    pub fn business_handle(&self, input: &[u8]) -> (i32, Vec<u8>) {
        let (code, text) = self.answer(input);
        let (bytes, _, _) = PROTOCOL.encoding.encode(&text);
        let mut bytes = bytes.into_owned();
        bytes.truncate(MAX_ANSWER);
        (code, bytes)
    }

    fn answer(&self, input: &[u8]) -> (i32, String) {
        let sep = PROTOCOL.separator.to_string();
        let Some(text) = PROTOCOL
            .encoding
            .decode_without_bom_handling_and_without_replacement(input)
        else {
            return (0, format!("-1{sep}输入不是有效的GBK编码"));
        };
        let fields: Vec<&str> = text.split(PROTOCOL.separator).collect();
        let mut state = self.lock();
        if !state.initialised {
            return (-1, format!("-1{sep}接口未初始化,请先调用INIT"));
        }
        if fields.contains(&NETWORK_FAILURE) {
            return (-1, format!("-1{sep}与前置机通讯失败"));
        }
        let code = fields.first().copied().unwrap_or_default();
        let args = fields.get(1..).unwrap_or_default();
        let result = transaction(&mut state, code, args);
        match result {
            Ok(out) => (
                0,
                std::iter::once("0".to_owned())
                    .chain(out)
                    .collect::<Vec<_>>()
                    .join(&sep),
            ),
            Err(message) => (0, format!("-1{sep}{message}")),
        }
    }
}

fn person(yi_bao_hao: &str) -> Result<&'static Person, String> {
    PEOPLE
        .iter()
        .find(|p| p.yi_bao_hao == yi_bao_hao)
        .ok_or_else(|| "无此参保人员信息".to_owned())
}

fn arg<'a>(args: &[&'a str], i: usize) -> &'a str {
    args.get(i).copied().unwrap_or_default()
}

/// `text` as ten-thousandths (`12.5` → 125000).
fn scaled(text: &str) -> Result<i128, String> {
    let d: sdk_runtime::Decimal = sdk_runtime::xml::XmlText::from_xml_text(text.trim())
        .map_err(|_| format!("数值格式错误: {text}"))?;
    d.to_scaled(4)
        .ok_or_else(|| format!("数值精度超过4位小数: {text}"))
}

/// Ten-thousandths as money with two decimals (rounded half up).
fn money(v: i128) -> String {
    let cents = (v + if v >= 0 { 50 } else { -50 }) / 100;
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn next(state: &mut State, prefix: &str) -> String {
    state.next += 1;
    format!("{prefix}{:06}", state.next)
}

/// (pooled fund, personal account, self-paid) of a visit, in ten-thousandths.
fn split(visit: &Visit) -> (i128, i128, i128) {
    let covered: i128 = visit
        .lines
        .values()
        .filter(|(_, s)| !s)
        .map(|(a, _)| a)
        .sum();
    let own: i128 = visit
        .lines
        .values()
        .filter(|(_, s)| *s)
        .map(|(a, _)| a)
        .sum();
    let balance = person(&visit.yi_bao_hao).map_or(0, |p| p.balance_cents * 100);
    let pooled = covered * 7 / 10;
    let account = (covered - pooled).min(balance).max(0);
    (pooled, account, own + covered - pooled - account)
}

fn transaction(state: &mut State, code: &str, args: &[&str]) -> Answer {
    match code {
        "01" => {
            let p = person(arg(args, 0))?;
            Ok(p.fields.iter().map(|s| (*s).to_owned()).collect())
        }
        "02" => {
            let (jiu_zhen_hao, yi_bao_hao) = (arg(args, 0), arg(args, 2));
            let p = person(yi_bao_hao)?;
            if p.fields[10] == "2" {
                return Err(p.fields[11].to_owned());
            }
            if jiu_zhen_hao.is_empty() || state.visits.contains_key(jiu_zhen_hao) {
                return Err(format!("就诊号已登记或为空: {jiu_zhen_hao}"));
            }
            let serial = next(state, "SX");
            state.visits.insert(
                jiu_zhen_hao.to_owned(),
                Visit {
                    yi_bao_hao: yi_bao_hao.to_owned(),
                    ..Visit::default()
                },
            );
            Ok(vec![serial, money(p.balance_cents * 100)])
        }
        "03" => {
            visit(state, arg(args, 0))?;
            Ok(Vec::new())
        }
        "04" => {
            let jiu_zhen_hao = arg(args, 0);
            let item = arg(args, 3);
            let price = scaled(arg(args, 6))?;
            let amount = scaled(arg(args, 15))?;
            let reversed = arg(args, 14);
            let serial = next(state, "MX");
            let v = visit(state, jiu_zhen_hao)?;
            if v.settled.is_some() {
                return Err("该就诊已结算,不能添加明细".to_owned());
            }
            if !reversed.is_empty() && v.lines.remove(reversed).is_none() {
                return Err(format!("无此明细流水号: {reversed}"));
            }
            let self_paid = item.starts_with('Z');
            if reversed.is_empty() {
                v.lines.insert(serial.clone(), (amount, self_paid));
            }
            Ok(vec![
                serial,
                money(price),
                if self_paid { "2" } else { "0" }.to_owned(),
            ])
        }
        "05" | "06" => {
            let jiu_zhen_hao = arg(args, 0);
            let serial = (code == "05").then(|| next(state, "JS"));
            let v = visit(state, jiu_zhen_hao)?;
            if v.settled.is_some() {
                return Err("该就诊已结算".to_owned());
            }
            let (pooled, account, own) = split(v);
            match serial {
                Some(serial) => {
                    v.settled = Some(serial.clone());
                    Ok(vec![
                        serial,
                        money(pooled),
                        money(account),
                        money(0),
                        money(own),
                        money(0),
                    ])
                }
                None => Ok(vec![
                    money(pooled),
                    money(account),
                    money(0),
                    money(own),
                    money(0),
                    money(0),
                ]),
            }
        }
        "07" => Ok(person(arg(args, 0))?
            .diseases
            .iter()
            .map(|s| (*s).to_owned())
            .collect()),
        "10" => {
            let v = visit(state, arg(args, 0))?;
            if v.settled.is_some() {
                return Err("该就诊已结算".to_owned());
            }
            v.lines.clear();
            Ok(Vec::new())
        }
        "11" => Ok(vec!["500112001".to_owned()]),
        "99" => {
            let serial = arg(args, 0);
            if let Some(key) = state
                .visits
                .iter()
                .find(|(_, v)| v.settled.as_deref() == Some(serial))
                .map(|(k, _)| k.clone())
            {
                if let Some(v) = state.visits.get_mut(&key) {
                    v.settled = None;
                }
                return Ok(Vec::new());
            }
            for v in state.visits.values_mut() {
                if v.settled.is_none() && v.lines.remove(serial).is_some() {
                    return Ok(Vec::new());
                }
            }
            Err(format!("无此流水号: {serial}"))
        }
        "08" | "09" | "12" | "13" | "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21"
        | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "30" => {
            Ok(args.iter().map(|s| (*s).to_owned()).collect())
        }
        other => Err(format!("不支持的交易类别: {other}")),
    }
}

fn visit<'a>(state: &'a mut State, jiu_zhen_hao: &str) -> Result<&'a mut Visit, String> {
    state
        .visits
        .get_mut(jiu_zhen_hao)
        .ok_or_else(|| format!("无此就诊记录: {jiu_zhen_hao}"))
}

/// The sandbox as a [`Transport`], in process: the same bytes as through the library.
#[derive(Debug, Default)]
pub struct InProcess {
    sandbox: Sandbox,
}

impl InProcess {
    /// A fresh sandbox.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Transport for InProcess {
    fn init(&self) -> Result<i32, TransportError> {
        Ok(self.sandbox.init())
    }

    fn business_handle(&self, input: &[u8]) -> Result<(i32, Vec<u8>), TransportError> {
        if input.contains(&0) {
            return Err(TransportError::InputNul);
        }
        Ok(self.sandbox.business_handle(input))
    }
}
