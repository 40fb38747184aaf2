//! Streaming a large answer: the CeR visit list, made as long as asked (1 GB by default) from
//! the records of the real sandbox answer, read record by record with the generated
//! `pobierz_liste_wizyt_sync::wizyta_records` against the floor (a quick-xml scan of the same
//! stream). Runs in a child process of its own, so that its peak RSS is the streaming's alone;
//! the answer is made as it is read, so it needs neither disk nor memory.

use std::io::BufRead;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use quick_xml::events::Event;
use quick_xml::reader::NsReader;

/// The parts of an answer: everything before the first record, one record, everything after
/// the last.
pub struct Template {
    pub head: Vec<u8>,
    pub record: Vec<u8>,
    pub tail: Vec<u8>,
}

impl Template {
    /// Cuts a list answer whose records are `<{record}>…</{record}>` elements.
    pub fn from_answer(answer: &[u8], record: &str) -> Result<Self, String> {
        let open = format!("<{record}>");
        let close = format!("</{record}>");
        let find = |hay: &[u8], needle: &str, from: usize| {
            hay.get(from..)
                .and_then(|h| h.windows(needle.len()).position(|w| w == needle.as_bytes()))
                .map(|i| i + from)
        };
        let first = find(answer, &open, 0).ok_or("the answer has no record")?;
        let first_end =
            find(answer, &close, first).ok_or("the first record is not closed")? + close.len();
        let mut last_end = first_end;
        while let Some(next) = find(answer, &close, last_end) {
            last_end = next + close.len();
        }
        Ok(Self {
            head: answer.get(..first).unwrap_or_default().to_vec(),
            record: answer.get(first..first_end).unwrap_or_default().to_vec(),
            tail: answer.get(last_end..).unwrap_or_default().to_vec(),
        })
    }

    fn records_for(&self, bytes: u64) -> u64 {
        let fixed = (self.head.len() + self.tail.len()) as u64;
        bytes.saturating_sub(fixed) / (self.record.len().max(1) as u64)
    }

    fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, part) in [
            ("head.xml", &self.head),
            ("record.xml", &self.record),
            ("tail.xml", &self.tail),
        ] {
            std::fs::write(dir.join(name), part).map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(())
    }

    fn read(dir: &Path) -> Result<Self, String> {
        let part = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
        Ok(Self {
            head: part("head.xml")?,
            record: part("record.xml")?,
            tail: part("tail.xml")?,
        })
    }
}

/// The answer with `records` records, made as it is read.
struct Generated<'t> {
    parts: [&'t [u8]; 3],
    part: usize,
    pos: usize,
    left: u64,
}

impl<'t> Generated<'t> {
    fn new(t: &'t Template, records: u64) -> Self {
        Self {
            parts: [&t.head, &t.record, &t.tail],
            part: 0,
            pos: 0,
            left: records,
        }
    }
}

impl std::io::Read for Generated<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(o), Some(a)) = (out.get_mut(..n), available.get(..n)) {
            o.copy_from_slice(a);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Generated<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.part == 1 && self.left == 0 {
            self.part = 2;
            self.pos = 0;
        }
        Ok(self
            .parts
            .get(self.part)
            .and_then(|p| p.get(self.pos..))
            .unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.pos += amount;
        if self
            .parts
            .get(self.part)
            .is_some_and(|p| self.pos >= p.len())
        {
            self.pos = 0;
            match self.part {
                0 => self.part = 1,
                1 => self.left = self.left.saturating_sub(1),
                _ => self.part = 3,
            }
        }
    }
}

/// The floor over a stream: what [`crate::floor::scan`] does, with quick-xml reading from a
/// `BufRead` into a buffer.
pub fn floor_scan(reader: impl BufRead) -> Result<u64, String> {
    let mut reader = NsReader::from_reader(reader);
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut seen = 0u64;
    loop {
        buf.clear();
        let (resolved, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        std::hint::black_box(&resolved);
        if matches!(event, Event::Eof) {
            break;
        }
        seen += crate::floor::visit(&event, reader.resolver())? as u64;
    }
    Ok(seen)
}

/// What the child measured.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub struct StreamResult {
    pub records: u64,
    pub bytes: u64,
    pub floor_seconds: f64,
    pub our_seconds: f64,
    /// Floor time over ours (1.00: as fast as scanning).
    pub vs_floor: f64,
    pub floor_mb_per_s: f64,
    pub our_mb_per_s: f64,
    /// Peak resident memory of the child process.
    pub peak_rss_mib: f64,
}

/// The child: streams `bytes` of answer made from the template in `dir`; prints the result as
/// JSON.
pub fn child(dir: &Path, bytes: u64) -> Result<(), String> {
    use sdk_p1::cer::operation::pobierz_liste_wizyt_sync as op;
    let t = Template::read(dir)?;
    let records = t.records_for(bytes);
    let total = (t.head.len() + t.tail.len()) as u64 + records * t.record.len() as u64;
    let started = Instant::now();
    floor_scan(Generated::new(&t, records))?;
    let floor_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut stream = op::wizyta_records(Generated::new(&t, records));
    let mut count = 0u64;
    for r in stream.by_ref() {
        let wizyta = r.map_err(|e| format!("record {count}: {e}"))?;
        std::hint::black_box(&wizyta);
        count += 1;
    }
    let (rest, _) = stream
        .finish::<op::Output>()
        .map_err(|e| format!("the rest of the answer: {e}"))?;
    std::hint::black_box(&rest);
    let our_seconds = started.elapsed().as_secs_f64();
    if count != records {
        return Err(format!("{count} records read, {records} written"));
    }
    let peak_kib = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
        .map(|u| u.max_rss())
        .unwrap_or(0);
    let mb = total as f64 / 1e6;
    let result = StreamResult {
        records,
        bytes: total,
        floor_seconds,
        our_seconds,
        vs_floor: floor_seconds / our_seconds,
        floor_mb_per_s: mb / floor_seconds,
        our_mb_per_s: mb / our_seconds,
        peak_rss_mib: peak_kib as f64 / 1024.0,
    };
    println!(
        "{}",
        serde_json::to_string(&result).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Runs the child on `bytes` of the CeR list answer cut from `answer`.
pub fn measure(answer: &[u8], bytes: u64, dir: &Path) -> Result<StreamResult, String> {
    Template::from_answer(answer, "wizyta")?.write(dir)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("--stream-child")
        .arg(dir)
        .arg(bytes.to_string())
        .output()
        .map_err(|e| format!("cannot run the streaming child: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the streaming child failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("the streaming child's answer: {e}"))
}
