//! `b2b chongqing ...`: the Chongqing 金保 interface through its vendor library (`--dll`) or
//! an in-process sandbox with fictitious data.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use sdk_chongqing::jiaoyi::{self, t01, t06};
use sdk_chongqing::sandbox::InProcess;
use sdk_chongqing::{Client, DllTransport, Error, Transport};

use crate::failure::Failure;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum ChongqingCommand {
    /// Lists the transactions of the description (code, name, where they are known from).
    Jiaoyi,
    /// 01 获取人员基本信息: an insured person's basic data, by insurance number (医保号).
    RenYuan {
        /// The insurance number (医保号).
        yi_bao_hao: String,
        #[command(flatten)]
        target: ChongqingTarget,
    },
    /// 06 预结算: the pre-settlement of a visit, by visit number (就诊号).
    YuJieSuan {
        /// The visit number (就诊号).
        jiu_zhen_hao: String,
        #[command(flatten)]
        target: ChongqingTarget,
    },
    /// Any transaction with raw fields (checked to be sendable in GBK), printing the answer's
    /// fields: for diagnostics and transactions whose fields are not described.
    Raw {
        /// The transaction code (01–30, 99).
        code: String,
        /// The fields after the code, in order.
        fields: Vec<String>,
        #[command(flatten)]
        target: ChongqingTarget,
    },
}

/// Which library answers.
#[derive(Debug, Args)]
pub struct ChongqingTarget {
    /// The vendor's interface library (SiInterface.dll, or a library with its C ABI). Without
    /// it, an in-process sandbox with fictitious data answers (insurance numbers A1234567,
    /// B7654321).
    #[arg(long, value_name = "FILE")]
    pub dll: Option<PathBuf>,
    /// Bytes of the answer buffer given to the library.
    #[arg(long, value_name = "BYTES", requires = "dll")]
    pub output_buffer: Option<usize>,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: ChongqingCommand) -> Result<(), Failure> {
    match command {
        ChongqingCommand::Jiaoyi => {
            let mut text = String::new();
            for (code, name, english) in jiaoyi::TRANSACTIONS {
                let _ = writeln!(text, "{code}  {name}  ({english})");
            }
            output::stdout(&text)
        }
        ChongqingCommand::RenYuan { yi_bao_hao, target } => with_client(&target, |c| {
            let p = c
                .ren_yuan_xin_xi(&t01::Request::new(yi_bao_hao.clone()))
                .map_err(failure)?;
            let fields = [
                ("姓名", p.xing_ming.clone()),
                ("性别", p.xing_bie.clone()),
                ("年龄", p.nian_ling.map(|n| n.to_string())),
                ("人员类别", p.ren_yuan_lei_bie.clone()),
                ("单位名称", p.dan_wei_ming_cheng.clone()),
                ("中心编号", p.zhong_xin_bian_hao.clone()),
                (
                    "封锁状态",
                    p.feng_suo_zhuang_tai
                        .as_ref()
                        .map(|s| s.as_str().to_owned()),
                ),
                ("封锁信息", p.feng_suo_xin_xi.clone()),
            ];
            print_fields(&fields, target.json)
        }),
        ChongqingCommand::YuJieSuan {
            jiu_zhen_hao,
            target,
        } => with_client(&target, |c| {
            let r = c
                .yu_jie_suan(&t06::Request::new(jiu_zhen_hao.clone()))
                .map_err(failure)?;
            let show = |d: &Option<sdk_runtime::Decimal>| {
                d.as_ref()
                    .map(|d| sdk_runtime::xml::XmlText::to_xml_text(d).into_owned())
            };
            let fields = [
                ("统筹", show(&r.tong_chou)),
                ("个人帐户", show(&r.ge_ren_zhang_hu)),
                ("公务员补助", show(&r.gong_wu_yuan_bu_zhu)),
                ("全自费", show(&r.quan_zi_fei)),
                ("大额统筹", show(&r.da_e_tong_chou)),
                ("公务员返还", show(&r.gong_wu_yuan_fan_huan)),
            ];
            print_fields(&fields, target.json)
        }),
        ChongqingCommand::Raw {
            code,
            fields,
            target,
        } => with_client(&target, |c| {
            let out = c.run_raw(&code, &fields).map_err(failure)?;
            if target.json {
                let text = serde_json::to_string_pretty(&out)
                    .map_err(|e| Failure::Failed(e.to_string()))?;
                return output::stdout(&format!("{text}\n"));
            }
            let mut text = String::new();
            for (i, f) in out.iter().enumerate() {
                let _ = writeln!(text, "{:>2}: {f}", i + 1);
            }
            output::stdout(&text)
        }),
    }
}

fn with_client(
    target: &ChongqingTarget,
    f: impl FnOnce(&dyn Calls) -> Result<(), Failure>,
) -> Result<(), Failure> {
    match &target.dll {
        Some(path) => {
            let mut t = DllTransport::load(path).map_err(|e| Failure::Failed(e.to_string()))?;
            if let Some(n) = target.output_buffer {
                t = t.with_output_capacity(n);
            }
            f(&Client::new(t))
        }
        None => f(&Client::new(InProcess::new())),
    }
}

/// The calls the commands make, over either transport.
trait Calls {
    fn ren_yuan_xin_xi(&self, r: &t01::Request) -> Result<t01::Response, Error>;
    fn yu_jie_suan(&self, r: &t06::Request) -> Result<t06::Response, Error>;
    fn run_raw(&self, code: &str, fields: &[String]) -> Result<Vec<String>, Error>;
}

impl<T: Transport> Calls for Client<T> {
    fn ren_yuan_xin_xi(&self, r: &t01::Request) -> Result<t01::Response, Error> {
        jiaoyi::Transactions::ren_yuan_xin_xi(self, r)
    }
    fn yu_jie_suan(&self, r: &t06::Request) -> Result<t06::Response, Error> {
        jiaoyi::Transactions::yu_jie_suan(self, r)
    }
    fn run_raw(&self, code: &str, fields: &[String]) -> Result<Vec<String>, Error> {
        Client::run_raw(self, code, fields)
    }
}

fn print_fields(fields: &[(&str, Option<String>)], json: bool) -> Result<(), Failure> {
    if json {
        let map: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_owned(),
                    v.clone()
                        .map_or(serde_json::Value::Null, serde_json::Value::String),
                )
            })
            .collect();
        let text =
            serde_json::to_string_pretty(&map).map_err(|e| Failure::Failed(e.to_string()))?;
        return output::stdout(&format!("{text}\n"));
    }
    let mut text = String::new();
    for (k, v) in fields {
        let _ = writeln!(text, "{k}: {}", v.as_deref().unwrap_or("-"));
    }
    output::stdout(&text)
}

fn failure(e: Error) -> Failure {
    match e {
        Error::InvalidInput(_) | Error::Unsendable(_) => Failure::Usage(e.to_string()),
        other => Failure::Failed(other.to_string()),
    }
}
