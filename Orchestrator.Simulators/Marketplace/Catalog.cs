using System.Collections.Frozen;

namespace Orchestrator.Simulators.Marketplace;

/// <summary>
/// The simulated marketplace's stock: items over several themes. Item 1 is the seed's only item (Tesla, 10).
/// Search matches the words of a theme against each item's company, title and tags.
/// </summary>
public sealed class Catalog
{
    static readonly FrozenSet<string> Ignored = FrozenSet.ToFrozenSet(
    [
        "a", "an", "and", "the", "of", "in", "on", "for", "by", "to", "with", "inc", "corp", "co", "ltd",
        "financial", "performance", "market", "trends", "analysis", "report", "data", "research",
    ], StringComparer.Ordinal);

    public IReadOnlyList<CatalogItem> Items { get; } =
    [
        Item(1, "Tesla Inc financial statements 2023", "Tesla Inc", 10, ["tesla", "automotive", "ev", "financials", "earnings"],
            "Tesla grew revenue 19% to $96.8bn in 2023 while price cuts took its automotive gross margin below 20%.",
            ("revenue_usd_bn", 96.8), ("net_income_usd_bn", 15.0), ("automotive_gross_margin_pct", 18.9)),
        Item(2, "Tesla vehicle deliveries and production 2023", "Tesla Inc", 8, ["tesla", "ev", "deliveries", "automotive"],
            "Tesla delivered 1.81 million vehicles in 2023, up 38%, with Model Y the best-selling car worldwide.",
            ("deliveries_millions", 1.81), ("production_millions", 1.85), ("growth_pct", 38)),
        Item(3, "Global electric vehicle market share by maker", "EV Research Group", 12, ["ev", "automotive", "tesla", "byd"],
            "BYD and Tesla together sold about a third of the world's battery-electric cars in 2023.",
            ("tesla_share_pct", 19.9), ("byd_share_pct", 17.1), ("global_bev_sales_millions", 9.5)),
        Item(4, "Tesla energy storage and solar deployments", "Tesla Inc", 7, ["tesla", "energy", "storage", "solar"],
            "Tesla deployed 14.7 GWh of storage in 2023, more than double the year before.",
            ("storage_deployed_gwh", 14.7), ("energy_revenue_usd_bn", 6.0)),
        Item(5, "Ford Motor results and EV losses 2023", "Ford Motor Co", 9, ["ford", "automotive", "ev", "financials"],
            "Ford earned $10.4bn of adjusted EBIT; its Model e unit lost $4.7bn.",
            ("revenue_usd_bn", 176.2), ("ev_unit_loss_usd_bn", -4.7)),
        Item(6, "BYD electric vehicle sales and margins", "BYD Co", 11, ["byd", "ev", "automotive", "china"],
            "BYD sold 3.02 million new-energy vehicles in 2023, overtaking Tesla in BEVs in the fourth quarter.",
            ("nev_sales_millions", 3.02), ("gross_margin_pct", 20.2)),
        Item(7, "AI diagnostics adoption in hospitals", "MedAI Analytics", 14, ["ai", "healthcare", "diagnostics", "hospitals"],
            "About a third of large hospitals run at least one AI imaging tool in production.",
            ("hospitals_using_ai_pct", 34), ("fda_cleared_ai_devices", 692)),
        Item(8, "Healthcare AI market size and growth forecast", "HealthTech Insights", 16, ["ai", "healthcare", "forecast"],
            "The healthcare AI market is put at $22bn in 2023, growing about 37% a year to 2030.",
            ("market_size_usd_bn", 22.4), ("cagr_pct", 37.5)),
        Item(9, "Nvidia healthcare AI platform revenue", "Nvidia Corp", 13, ["nvidia", "ai", "healthcare", "semiconductors"],
            "Nvidia's Clara and BioNeMo platforms serve imaging, genomics and drug discovery customers.",
            ("healthcare_partners", 3500), ("data_center_revenue_usd_bn", 47.5)),
        Item(10, "AI in drug discovery: deals and pipelines", "PharmaData", 18, ["ai", "pharma", "drug", "healthcare"],
            "AI-discovered molecules reached phase II trials; partnering deals passed $20bn in announced value.",
            ("molecules_in_clinic", 67), ("deal_value_usd_bn", 21.0)),
        Item(11, "Blockchain adoption by banks and insurers", "ChainMetrics", 12, ["blockchain", "finance", "banking", "adoption"],
            "Tokenised deposits and repo settlement moved from pilots to production at several large banks.",
            ("banks_in_production", 41), ("tokenised_assets_usd_bn", 3.2)),
        Item(12, "Coinbase financial results 2023", "Coinbase Global", 10, ["coinbase", "crypto", "finance", "blockchain"],
            "Coinbase returned to a net profit in 2023 on subscription and services revenue.",
            ("revenue_usd_bn", 3.1), ("net_income_usd_bn", 0.1)),
        Item(13, "Decentralized finance lending volumes", "DeFi Pulse Research", 9, ["defi", "blockchain", "finance", "lending"],
            "DeFi lending protocols held about $20bn of deposits at the end of 2023.",
            ("total_value_locked_usd_bn", 20.3), ("active_borrowers_thousands", 310)),
        Item(14, "Central bank digital currency pilots", "Central Bank Watch", 15, ["cbdc", "blockchain", "finance", "regulation"],
            "130 countries explore a CBDC; 11 have launched one.",
            ("countries_exploring", 130), ("launched", 11)),
        Item(15, "Renewable energy investment 2023", "Climate Capital", 11, ["climate", "energy", "renewables", "investment"],
            "Investment in the energy transition reached $1.8 trillion in 2023, a record.",
            ("transition_investment_usd_tn", 1.77), ("growth_pct", 17)),
        Item(16, "Vestas wind turbine orders and margins", "Vestas Wind Systems", 9, ["wind", "energy", "renewables"],
            "Vestas' order intake rose 51% as turbine prices recovered.",
            ("order_intake_gw", 18.9), ("ebit_margin_pct", 1.6)),
        Item(17, "Corporate carbon emissions disclosures", "Carbon Ledger", 6, ["climate", "carbon", "esg", "emissions"],
            "Two thirds of large listed companies now report scope 3 emissions.",
            ("companies_reporting_scope3_pct", 66)),
        Item(18, "TSMC revenue by process node 2023", "TSMC", 14, ["tsmc", "semiconductors", "chips", "foundry"],
            "Advanced nodes (7nm and below) made up 58% of TSMC's wafer revenue.",
            ("revenue_usd_bn", 69.3), ("advanced_nodes_share_pct", 58)),
        Item(19, "Intel foundry strategy and results", "Intel Corp", 12, ["intel", "semiconductors", "chips", "foundry"],
            "Intel's foundry unit reported a $7bn operating loss as it builds capacity for outside customers.",
            ("revenue_usd_bn", 54.2), ("foundry_operating_loss_usd_bn", -7.0)),
        Item(20, "ASML lithography order backlog", "ASML Holding", 10, ["asml", "semiconductors", "lithography", "chips"],
            "ASML ended 2023 with a €39bn backlog, EUV systems a majority of it.",
            ("backlog_eur_bn", 39.0), ("euv_systems_shipped", 53)),
        Item(21, "Walmart e-commerce growth 2023", "Walmart Inc", 8, ["walmart", "retail", "ecommerce"],
            "Walmart's US e-commerce sales grew 17%, with store-fulfilled delivery the fastest part.",
            ("us_ecommerce_growth_pct", 17), ("revenue_usd_bn", 648.1)),
        Item(22, "Amazon retail and AWS segment results", "Amazon.com Inc", 13, ["amazon", "retail", "cloud", "ecommerce"],
            "AWS made up about 16% of Amazon's sales and most of its operating income.",
            ("aws_revenue_usd_bn", 90.8), ("operating_income_usd_bn", 36.9)),
        Item(23, "Shopify merchant solutions growth", "Shopify Inc", 7, ["shopify", "retail", "ecommerce"],
            "Shopify's gross merchandise volume passed $235bn in 2023.",
            ("gmv_usd_bn", 235.9), ("revenue_growth_pct", 26)),
        Item(24, "Consumer spending by category", "Consumer Pulse", 5, ["retail", "consumer", "spending"],
            "Services spending kept growing faster than goods spending through 2023.",
            ("services_growth_pct", 6.1), ("goods_growth_pct", 1.8)),
        Item(25, "Apple services revenue 2023", "Apple Inc", 11, ["apple", "technology", "services"],
            "Apple's services revenue reached a record $85bn with a gross margin above 70%.",
            ("services_revenue_usd_bn", 85.2), ("services_gross_margin_pct", 70.8)),
        Item(26, "Microsoft AI copilot adoption", "Microsoft Corp", 12, ["microsoft", "ai", "cloud", "software"],
            "Azure AI had 53,000 customers by the end of 2023.",
            ("azure_ai_customers", 53000), ("cloud_revenue_usd_bn", 111.6)),
    ];

    public CatalogItem? Find(int id) => Items.FirstOrDefault(item => item.Id == id);

    /// <summary>Items sharing words with <paramref name="query"/>, the most words first, then by id.</summary>
    public IReadOnlyList<CatalogItem> Search(string? query, int limit)
    {
        var wanted = Words(query ?? "").Where(word => !Ignored.Contains(word) && !word.All(char.IsDigit)).ToHashSet();
        return [.. Items
            .Select(item => (item, score: Words($"{item.Company} {item.Title} {string.Join(' ', item.Tags)}").Distinct().Count(wanted.Contains)))
            .Where(match => match.score > 0)
            .OrderByDescending(match => match.score)
            .ThenBy(match => match.item.Id)
            .Take(limit)
            .Select(match => match.item)];
    }

    static IEnumerable<string> Words(string text) =>
        text.ToLowerInvariant()
            .Split((char[])[.. text.Where(c => !char.IsLetterOrDigit(c)).Distinct()], StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Length > 3 && word.EndsWith('s') ? word[..^1] : word);

    static CatalogItem Item(int id, string title, string company, int price, string[] tags, string summary, params (string Name, double Value)[] metrics) =>
        new(id, title, company, price, tags)
        {
            Summary = summary,
            Metrics = metrics.ToDictionary(m => m.Name, m => m.Value),
        };
}
