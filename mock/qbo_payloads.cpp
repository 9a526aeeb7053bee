// Payload shapes follow the sample objects on Intuit's API reference pages for Customer, Invoice
// and Item (developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/...).
#include <set>

#include "mock/qbo_data.hpp"
#include "mock/qbo_json.hpp"
#include "mock/qbo_time.hpp"

namespace tributary::mock {
namespace {

// Apostrophes and non-ASCII letters on purpose: they exercise query quoting and UTF-8 paths.
const char* const kGiven[] = {"Amy",   "Dana",   "José",  "Zoë",     "Björn",  "Renée",
                              "Liam",  "Priya",  "Chen",  "François", "Łukasz", "Maria",
                              "Omar",  "Sophie", "Kenji", "Aoife",    "Noah",   "Ines"};
const char* const kFamily[] = {"O'Brien", "Müller",  "D'Angelo", "Nguyễn", "Smith",  "García",
                               "Kowalski", "Okafor", "Lauterbach", "Søren", "Tanaka", "Rossi",
                               "Byrne",   "Dubois",  "Fischer",  "Haddad", "Patel",  "Walsh"};
const char* const kCompanies[] = {"Café Müller",        "O'Reilly's Pub",      "Amy's Bird Sanctuary",
                                  "Zürich Imports",     "Bill's Windsurf Shop", "Crème de la Crème",
                                  "Dukes Basketball Camp", "Rondonuwu Fruit and Vegi",
                                  "Sushi by Katsuyuki", "Kookies by Kathy",     "Jeff's Jalopies",
                                  "Smørrebrød & Co"};
const char* const kItems[] = {"Rock Fountain", "Garden Hose 50'", "Pump",        "Sprinkler Heads",
                              "Design",        "Installation",    "Gardening",   "Hours",
                              "Pest Control",  "Maintenance & Repair", "Lighting", "Trimming",
                              "Sod",           "Soil",            "Concrete",    "Café Table"};
const char* const kItemTypes[] = {"Service", "Inventory", "NonInventory"};
const char* const kStreets[] = {"Finch St.", "Lake Shore Blvd.", "Rue Sainte-Catherine",
                                "Main St.", "Camino Real",       "Hauptstraße"};
const char* const kCities[] = {"Bayshore", "Palo Alto", "Half Moon Bay", "Sunnyvale", "Menlo Park"};

std::string ascii_lower(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out.empty() ? "contact" : out;
}

std::string unique(std::set<std::string>& used, std::string name) {
  std::string candidate = name;
  for (int n = 2; !used.insert(candidate).second; ++n) candidate = name + " " + std::to_string(n);
  return candidate;
}

void meta_data(JsonWriter& w, const Record& r) {
  w.field("domain", "QBO").field("sparse", false);
  w.field("Id", std::to_string(r.id)).field("SyncToken", std::to_string(r.sync_token));
  w.key("MetaData").begin_object();
  w.field("CreateTime", format_pacific(r.create_utc));
  w.field("LastUpdatedTime", format_pacific(r.updated_utc));
  w.end_object();
}

void ref(JsonWriter& w, const char* key, const std::string& value, const std::string& name) {
  w.key(key).begin_object().field("value", value);
  if (!name.empty()) w.field("name", name);
  w.end_object();
}

void address(JsonWriter& w, const char* key, int id, Rng& rng) {
  w.key(key).begin_object();
  w.field("Id", std::to_string(id));
  w.field("Line1", std::to_string(100 + rng.below(9000)) + " " + rng.pick(kStreets));
  w.field("City", rng.pick(kCities)).field("CountrySubDivisionCode", "CA");
  w.field("PostalCode", std::to_string(94000 + rng.below(999)));
  w.end_object();
}

// The Customer's person and company names, derived from its Id alone.
struct CustomerNames {
  std::string given, family, company;
};

CustomerNames customer_names(std::uint64_t seed, int id) {
  Rng rng(mix_seed(seed, 10, id, 0));
  CustomerNames n{rng.pick(kGiven), rng.pick(kFamily), ""};
  if (id % 4 == 1) n.company = kCompanies[(id / 4) % std::size(kCompanies)];
  return n;
}

}  // namespace

Catalog build_catalog(std::uint64_t seed, int customers, int items) {
  Catalog c;
  std::set<std::string> used;
  for (int id = 1; id <= customers; ++id) {
    auto n = customer_names(seed, id);
    c.customer_names.push_back(unique(used, n.company.empty() ? n.given + " " + n.family : n.company));
  }
  used.clear();
  for (int id = 1; id <= items; ++id) {
    Rng rng(mix_seed(seed, 11, id, 0));
    c.item_names.push_back(unique(used, kItems[(id - 1) % std::size(kItems)]));
    c.item_price_cents.push_back(500 + rng.below(60) * 500 + rng.below(2) * 99);
  }
  return c;
}

std::string render_customer(std::uint64_t seed, const Record& r, const Catalog& catalog) {
  auto names = customer_names(seed, r.id);
  const std::string& display = catalog.customer_names[r.id - 1];
  Rng rng(mix_seed(seed, 12, r.id, 0));
  Rng rev(mix_seed(seed, 13, r.id, r.revision));  // fields that change on every touch
  std::int64_t balance = rev.below(3) == 0 ? 0 : rev.below(500000);
  JsonWriter w;
  w.begin_object();
  w.field("Taxable", rng.below(2) == 0);
  address(w, "BillAddr", r.id * 3, rng);
  w.field("Job", false).field("BillWithParent", false);
  w.field_raw("Balance", money(balance)).field_raw("BalanceWithJobs", money(balance));
  ref(w, "CurrencyRef", "USD", "United States Dollar");
  w.field("PreferredDeliveryMethod", rng.below(2) == 0 ? "Print" : "Email");
  w.field("IsProject", false);
  meta_data(w, r);
  w.field("GivenName", names.given).field("FamilyName", names.family);
  if (!names.company.empty()) w.field("CompanyName", names.company);
  w.field("FullyQualifiedName", display).field("DisplayName", display);
  w.field("PrintOnCheckName", display).field("Active", rng.below(20) != 0);
  w.key("PrimaryPhone").begin_object();
  w.field("FreeFormNumber", "(650) 555-" + std::to_string(1000 + rev.below(9000))).end_object();
  w.key("PrimaryEmailAddr").begin_object();
  w.field("Address", ascii_lower(names.given) + "." + ascii_lower(names.family) + "@example.com");
  w.end_object();
  w.end_object();
  return w.take();
}

std::string render_item(std::uint64_t seed, const Record& r, const Catalog& catalog) {
  Rng rng(mix_seed(seed, 14, r.id, 0));
  Rng rev(mix_seed(seed, 15, r.id, r.revision));
  const char* type = rng.pick(kItemTypes);
  const std::string& name = catalog.item_names[r.id - 1];
  std::int64_t price = catalog.item_price_cents[r.id - 1] + r.revision * 100;
  JsonWriter w;
  w.begin_object();
  w.field("Name", name).field("Description", name + " (" + type + ")");
  w.field("Active", true).field("FullyQualifiedName", name).field("Taxable", type[0] != 'S');
  w.field_raw("UnitPrice", money(price)).field("Type", type);
  ref(w, "IncomeAccountRef", "79", "Sales of Product Income");
  w.field_raw("PurchaseCost", money(price / 2));
  if (std::string(type) == "Inventory") {
    ref(w, "ExpenseAccountRef", "80", "Cost of Goods Sold");
    ref(w, "AssetAccountRef", "81", "Inventory Asset");
    w.field("TrackQtyOnHand", true).field("QtyOnHand", rev.below(200));
    w.field("InvStartDate", format_pacific_date(r.create_utc));
  } else {
    w.field("TrackQtyOnHand", false);
  }
  meta_data(w, r);
  w.end_object();
  return w.take();
}

namespace {

struct InvoiceLines {
  std::string json;
  std::int64_t subtotal_cents = 0;
};

InvoiceLines invoice_lines(Rng& rng, const Catalog& catalog) {
  JsonWriter w;
  w.begin_array();
  InvoiceLines out;
  int lines = 1 + static_cast<int>(rng.below(4));
  for (int n = 1; n <= lines; ++n) {
    int item = 1 + static_cast<int>(rng.below(static_cast<std::int64_t>(catalog.item_names.size())));
    std::int64_t qty = 1 + rng.below(9);
    std::int64_t price = catalog.item_price_cents[item - 1];
    out.subtotal_cents += qty * price;
    w.begin_object().field("Id", std::to_string(n)).field("LineNum", n);
    w.field("Description", catalog.item_names[item - 1]);
    w.field_raw("Amount", money(qty * price)).field("DetailType", "SalesItemLineDetail");
    w.key("SalesItemLineDetail").begin_object();
    ref(w, "ItemRef", std::to_string(item), catalog.item_names[item - 1]);
    w.field_raw("UnitPrice", money(price)).field("Qty", qty);
    w.key("TaxCodeRef").begin_object().field("value", "TAX").end_object();
    w.end_object().end_object();
  }
  w.begin_object().field_raw("Amount", money(out.subtotal_cents));
  w.field("DetailType", "SubTotalLineDetail").key("SubTotalLineDetail").begin_object().end_object();
  w.end_object().end_array();
  out.json = w.take();
  return out;
}

}  // namespace

std::string render_invoice(std::uint64_t seed, const Record& r, const Catalog& catalog) {
  Rng rng(mix_seed(seed, 16, r.id, 0));
  Rng rev(mix_seed(seed, 17, r.id, r.revision));
  int customer = 1 + static_cast<int>(rng.below(static_cast<std::int64_t>(catalog.customer_names.size())));
  InvoiceLines lines = invoice_lines(rng, catalog);
  std::int64_t tax = (lines.subtotal_cents * 825 + 5000) / 10000;  // 8.25 %
  std::int64_t total = lines.subtotal_cents + tax;
  std::int64_t balance = rev.below(3) == 0 ? 0 : (rev.below(2) == 0 ? total : total / 2);
  auto cust = customer_names(seed, customer);
  JsonWriter w;
  w.begin_object();
  w.field("AllowIPNPayment", false).field("AllowOnlinePayment", false);
  w.field("AllowOnlineCreditCardPayment", false).field("AllowOnlineACHPayment", false);
  meta_data(w, r);
  w.field("DocNumber", std::to_string(1000 + r.id)).field("TxnDate", format_pacific_date(r.create_utc));
  ref(w, "CurrencyRef", "USD", "United States Dollar");
  w.key("LinkedTxn").begin_array().end_array();
  w.field_raw("Line", lines.json);
  w.key("TxnTaxDetail").begin_object();
  w.key("TxnTaxCodeRef").begin_object().field("value", "2").end_object();
  w.field_raw("TotalTax", money(tax)).end_object();
  ref(w, "CustomerRef", std::to_string(customer), catalog.customer_names[customer - 1]);
  w.key("CustomerMemo").begin_object().field("value", "Thank you for your business!").end_object();
  address(w, "BillAddr", r.id * 2 + 1000, rng);
  w.key("SalesTermRef").begin_object().field("value", "3").end_object();
  w.field("DueDate", format_pacific_date(r.create_utc + 30 * 86400));
  w.field_raw("TotalAmt", money(total)).field("ApplyTaxAfterDiscount", false);
  w.field("PrintStatus", "NeedToPrint").field("EmailStatus", rev.below(2) ? "EmailSent" : "NotSet");
  w.key("BillEmail").begin_object();
  w.field("Address", ascii_lower(cust.given) + "@example.com").end_object();
  w.field_raw("Balance", money(balance));
  if (r.revision > 0) w.field("PrivateNote", "Revision " + std::to_string(r.revision));
  w.end_object();
  return w.take();
}

}  // namespace tributary::mock
