//! The command-line grammar of `pos-terminal`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "pos-terminal",
    version,
    about = "Offline-first store terminal: with no command, the desktop app opens"
)]
pub struct Cli {
    /// Where the store's database lives (default: the OS data directory).
    #[arg(long, global = true, env = "POS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Store, session, sync and printer at a glance.
    Status,
    /// Create a new store on this terminal, with its first manager.
    Init(InitArgs),
    /// Create the ready-to-sell demo store.
    Demo,
    /// Add or list users.
    #[command(subcommand)]
    User(UserCommand),
    /// Import or search the catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Open the till.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Sell items and take payment; prints the receipt.
    Sell(SellArgs),
    /// Take goods back and refund them.
    Return(ReturnArgs),
    /// Gift cards: sell (or top up) one, or look up its balance.
    #[command(subcommand)]
    Giftcard(super::credit::GiftcardCommand),
    /// Customer accounts: take a payment on one, or look one up.
    #[command(subcommand)]
    Account(super::credit::AccountCommand),
    /// The card terminal: resolve an open payment, read its last transaction.
    #[command(subcommand)]
    Card(super::card::CardCommand),
    /// Pay cash into or out of the drawer.
    Cash(CashArgs),
    /// X report (figures so far) or Z report (close the day).
    Report(ReportArgs),
    /// Record goods that came in (a delivery): stock goes up.
    Receive(ReceiveArgs),
    /// Correct stock by hand, with a reason; a manager approves.
    Adjust(AdjustArgs),
    /// Stock counts: start one, add what you count (blind), close it (a manager).
    #[command(subcommand)]
    Count(CountCommand),
    /// Ship goods of a transfer to another store (default: everything not shipped yet).
    Ship(ShipArgs),
    /// Purchase orders and transfers from head office for this store.
    #[command(subcommand)]
    Po(PoCommand),
    /// Customer orders synced to this store.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Hand over a customer order (all of it, or the --item lines); takes
    /// payment unless it was prepaid.
    Collect(CollectArgs),
    /// Stock on hand, for one product or all.
    Stock { code: Option<String> },
    /// Check the journal's hash chain and every recorded fact.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Fiscal records: closings, a period's archive, checking one.
    #[command(subcommand)]
    Fiscal(super::fiscal::FiscalCommand),
    /// Print any receipt again, as its next numbered copy (journaled).
    Reprint {
        receipt: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Open the drawer without a sale.
    Drawer(DrawerArgs),
    /// This till's token with head office.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Trust head office's certificate by its fingerprint from now on, and
    /// only it (after a switch this till missed). A manager's decision.
    Trust {
        /// The SHA-256 fingerprint head office prints (`tls self-signed`, `tls next`).
        #[arg(long)]
        fingerprint: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Join a sync server with a one-time code (into an empty data directory).
    Enroll {
        /// Head office's address: https://..., or http:// to this machine.
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// The SHA-256 fingerprint of the server's certificate (as
        /// `terminal add` prints it): pinned, any other is refused.
        #[arg(long)]
        fingerprint: Option<String>,
        /// Allow plain http:// to another machine (not encrypted).
        #[arg(long)]
        insecure: bool,
    },
    /// Push the journal and pull the catalog and stock; loops unless --once.
    Sync(SyncArgs),
    /// Device settings: printer, scanner, paper width, columns.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The store's settings: tax-mode (inclusive or exclusive),
    /// refund-cash-limit (cash refunds above it need a manager),
    /// discount-limit (percent), manager-pin-digits (6 to 12), pin-only-login
    /// (on or off), account-offline-allowance (percent of a credit limit a
    /// sale on account may go beyond it offline), giftcard-offline-limit
    /// (most a gift card pays here per day offline). Changing one is a
    /// manager's.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// The favourites page of the sale screen's product grid.
    #[command(subcommand)]
    Favourites(FavouritesCommand),
    /// Serial ports and USB printers on this machine.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Send to the receipt printer.
    #[command(subcommand)]
    Print(PrintCommand),
    /// Watch a scanner, for support.
    #[command(subcommand)]
    Scanner(ScannerCommand),
    /// Read the scale, for support.
    #[command(subcommand)]
    Scale(ScaleCommand),
    /// Show a test on the customer's pole display.
    #[command(subcommand)]
    Display(DisplayCommand),
    /// Shelf-edge labels: how many are due, and printing them.
    #[command(subcommand)]
    Labels(LabelsCommand),
}

#[derive(Subcommand, Debug)]
pub enum LabelsCommand {
    /// The products whose shelf label no longer shows their price.
    Due,
    /// Print labels: those due (--changed), of the products named, or of a
    /// category's products.
    Print {
        #[arg(long, conflicts_with_all = ["items", "category"], required_unless_present_any = ["items", "category"])]
        changed: bool,
        /// A product's SKU or barcode; repeat for several.
        #[arg(long = "item", conflicts_with = "category")]
        items: Vec<String>,
        /// Every product of this category (as the product grid names it).
        #[arg(long)]
        category: Option<String>,
        /// This printer instead of the configured label printer
        /// (zpl://HOST:PORT, or an ESC/POS printer's address).
        #[arg(long)]
        printer: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand, Debug)]
pub enum DisplayCommand {
    /// Both lines filled, accents and the euro sign included.
    Test {
        /// This display instead of the configured one (serial:///dev/ttyUSB2?baud=9600).
        #[arg(long)]
        display: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ScaleCommand {
    /// Print one stable weight in kg.
    Test {
        /// Read this scale instead of the configured one
        /// (serial:///dev/ttyUSB1?baud=9600&protocol=8217 or cas).
        #[arg(long)]
        scale: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum FavouritesCommand {
    /// Replaces the page with these SKUs, in order (none empties it). A manager's decision.
    Set {
        skus: Vec<String>,
        #[command(flatten)]
        actor: Actor,
    },
    Show,
}

#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    Set {
        key: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
        #[command(flatten)]
        actor: Actor,
    },
    Show,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// KEY is printer, scanner, scale, display, label-printer,
    /// card-terminal, customer-screen, paper-width, columns, window or
    /// sound; `none` clears a device. A manager's decision.
    Set {
        key: String,
        value: String,
        #[command(flatten)]
        actor: Actor,
    },
    Show,
}

#[derive(Subcommand, Debug)]
pub enum DevicesCommand {
    List,
}

#[derive(Subcommand, Debug)]
pub enum PrintCommand {
    /// A test page with the code page's accents and the euro sign.
    Test {
        /// Print on this address instead of the configured printer.
        #[arg(long)]
        printer: Option<String>,
    },
    /// Print the next numbered copy of any receipt (journaled).
    Reprint {
        receipt: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Send what waits in the print queue.
    Pending,
}

#[derive(Subcommand, Debug)]
pub enum ScannerCommand {
    /// Print each scan as it arrives.
    Test {
        #[arg(long)]
        scanner: Option<String>,
        /// Stop after this many scans.
        #[arg(long)]
        count: Option<usize>,
    },
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// One pass, then exit (non-zero if it failed).
    #[arg(long)]
    pub once: bool,
    /// Seconds between passes while it works.
    #[arg(long, default_value_t = 30)]
    pub interval: u64,
    /// Show pending entries and the last success instead of syncing.
    #[arg(long)]
    pub status: bool,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    #[arg(long)]
    pub store: String,
    #[arg(long)]
    pub terminal: String,
    #[arg(long, default_value = "S01")]
    pub store_code: String,
    #[arg(long, default_value = "T01")]
    pub terminal_code: String,
    #[arg(long, default_value = "EUR")]
    pub currency: String,
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub prices_include_tax: bool,
    #[arg(long, default_value = "Manager")]
    pub manager_name: String,
    /// The manager's PIN (6 to 12 digits); a random one is made and printed if absent.
    #[arg(long)]
    pub manager_pin: Option<String>,
    /// A line under the store's name on receipts (address, VAT number); repeat for more.
    #[arg(long)]
    pub header: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Adds a user at this till (a manager's decision: `--user` and
    /// `--pin` name who adds them, `--manager` approves for a cashier).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: RoleArg,
        /// The new user's PIN.
        #[arg(long)]
        new_pin: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Gives a user a new PIN, proven by their current one.
    Pin {
        #[arg(long)]
        name: String,
        #[arg(long)]
        current: String,
        #[arg(long)]
        new: String,
    },
    List,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Cashier,
    Manager,
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Import a CSV (sku,name,price[,barcode,unit,tax_rate,cost,category,reorder_point]).
    Import { file: PathBuf },
    /// Search products by name or SKU.
    Search { text: String },
}

#[derive(Subcommand, Debug)]
pub enum SessionCommand {
    Open {
        /// Who opens the till; without it, a cashier's PIN alone where allowed.
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        pin: String,
        #[arg(long)]
        float: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Ask head office for a new token while this one works; the old one
    /// ends once the new one is first used.
    Renew,
}

/// Who acts (their name and PIN), and the manager who approves what they
/// may not do alone.
#[derive(Args, Debug)]
pub struct Actor {
    /// Who acts; without it, a cashier's PIN alone where the store allows it.
    #[arg(long)]
    pub user: Option<String>,
    #[arg(long)]
    pub pin: String,
    /// The manager who approves what the user may not do alone.
    #[arg(long, requires = "manager_pin")]
    pub manager: Option<String>,
    /// That manager's PIN.
    #[arg(long, requires = "manager")]
    pub manager_pin: Option<String>,
}

impl Actor {
    /// Logs the acting user in (one PIN check).
    pub fn login(&self, terminal: &mut pos_terminal::Terminal) -> pos_terminal::CoreResult<pos_terminal::Operator> {
        terminal.login_with(self.user.as_deref(), &self.pin)
    }

    /// The approving manager's name and PIN, if given.
    pub fn approver(&self) -> Option<pos_terminal::users::Credentials> {
        Some(pos_terminal::users::Credentials::new(self.manager.as_deref()?, self.manager_pin.as_deref()?))
    }
}

#[derive(Args, Debug)]
pub struct SellArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// CODE or CODE*QTY: a barcode or SKU, optionally with a quantity or weight.
    #[arg(long = "item", required = true)]
    pub items: Vec<String>,
    /// A sale discount: 10% or 2.00.
    #[arg(long)]
    pub discount: Option<String>,
    /// The customer's code or name: their group's prices apply.
    #[arg(long)]
    pub customer: Option<String>,
    /// A coupon the customer gives; repeat for several.
    #[arg(long = "coupon")]
    pub coupons: Vec<String>,
    /// Weighed items given without a weight are weighed on the scale.
    #[arg(long)]
    pub weigh: bool,
    /// TENDER:AMOUNT, e.g. cash:20.00, account:35.00 (on the customer's
    /// account), giftcard:NUMBER:AMOUNT, or card-terminal[:AMOUNT] (the
    /// card through the till's terminal, by default what is left); repeat
    /// to split.
    #[arg(long = "pay")]
    pub payments: Vec<String>,
    /// The card was taken on another terminal, for this reason (with a card
    /// terminal at the till).
    #[arg(long)]
    pub external_card: Option<String>,
    /// Sell in training mode: journaled and printed as training, never
    /// counted (a manager's, or with a manager's approval).
    #[arg(long)]
    pub training: bool,
}

#[derive(Args, Debug)]
pub struct ReceiveArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The delivery note or supplier reference (a plain delivery).
    #[arg(long = "ref", required_unless_present = "po")]
    pub reference: Option<String>,
    /// Receive against this purchase order (default: everything outstanding).
    #[arg(long, conflicts_with = "reference")]
    pub po: Option<String>,
    /// CODE*QTY as it came, repeatable.
    #[arg(long = "item", required_unless_present = "po")]
    pub items: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AdjustArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// damaged, expired, theft, own-use or correction.
    #[arg(long)]
    pub reason: String,
    /// CODE*QTY, repeatable; a correction may be negative (CODE*-2).
    #[arg(long = "item", required = true)]
    pub items: Vec<String>,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Subcommand, Debug)]
pub enum CountCommand {
    /// Open a count of the whole store, or of one category; prints its number.
    Start {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        category: Option<String>,
    },
    /// Add what was counted (CODE*QTY, repeatable; counting again adds up).
    Add {
        count: i64,
        #[arg(long = "item", required = true)]
        items: Vec<String>,
    },
    /// Close the count: variances become stock movements.
    Close {
        count: i64,
        #[command(flatten)]
        actor: Actor,
        /// Products of the count's scope nobody counted are counted as none.
        #[arg(long)]
        zero_uncounted: bool,
    },
}

#[derive(Args, Debug)]
pub struct ShipArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The transfer's number, e.g. TR-000001.
    pub transfer: String,
    /// CODE*QTY as it leaves, repeatable.
    #[arg(long = "item")]
    pub items: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum PoCommand {
    /// Purchase orders still expecting goods (all with --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// One purchase order: ordered, received, outstanding.
    Show { number: String },
}

#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    /// Open orders whose number, customer code or name matches (all with --all).
    List {
        search: Option<String>,
        /// Collected and cancelled ones too.
        #[arg(long)]
        all: bool,
    },
    /// One order: its lines, what is collected and what is left.
    Show { number: String },
}

#[derive(Args, Debug)]
pub struct CollectArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The order number (typed or scanned), e.g. ORD-000042.
    pub number: String,
    /// CODE or CODE*QTY: hand over only these lines (default: everything left).
    #[arg(long = "item")]
    pub items: Vec<String>,
    /// TENDER:AMOUNT, e.g. card:24.30; none for a prepaid order.
    #[arg(long = "pay")]
    pub payments: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ReturnArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The original receipt number; without it a manager must approve.
    #[arg(long)]
    pub receipt: Option<String>,
    /// CODE[*QTY][@LINE]: what comes back, how much, and the receipt line it
    /// was sold on (when the product is on the receipt more than once).
    #[arg(long = "item", required = true)]
    pub items: Vec<String>,
    /// The goods are damaged: they do not go back into stock.
    #[arg(long)]
    pub damaged: bool,
    /// Refund tender (default: the tenders the receipt was paid with; another
    /// one, or cash above the store's limit, needs --manager-pin).
    #[arg(long, conflicts_with = "store_credit")]
    pub refund: Option<String>,
    /// Refund it all to this gift card as store credit (a new card, or one
    /// the customer has).
    #[arg(long)]
    pub store_credit: Option<String>,
    /// The card refund was given on another terminal, for this reason
    /// (with a card terminal at the till, a card refund goes through it).
    #[arg(long)]
    pub external_card: Option<String>,
    /// Take the return in training mode: journaled and printed as
    /// training, never counted (a manager's, or with a manager's approval).
    #[arg(long)]
    pub training: bool,
}

#[derive(Args, Debug)]
pub struct CashArgs {
    #[command(flatten)]
    pub actor: Actor,
    pub direction: DirectionArg,
    pub amount: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum DirectionArg {
    In,
    Out,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub actor: Actor,
    pub kind: ReportArg,
    /// Money counted per tender, e.g. cash:123.40 (Z only; the cash at least).
    #[arg(long = "counted", conflicts_with = "no_count")]
    pub counted: Vec<String>,
    /// Close the day with the drawer not counted, saying why (Z only).
    #[arg(long)]
    pub no_count: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportArg {
    X,
    Z,
}

#[derive(Subcommand, Debug)]
pub enum JournalCommand {
    Verify,
}

#[derive(Args, Debug)]
pub struct DrawerArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long)]
    pub reason: String,
}
