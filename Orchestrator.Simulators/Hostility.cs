namespace Orchestrator.Simulators;

/// <summary>
/// The attacks of a hostile marketplace, one flag each (combine them freely): <c>Simulators:Hostile=BadPrices</c>,
/// or <c>Simulators:Hostile=RedirectPaidFetch,ControlCharacters</c>, or <see cref="SimulatorBehaviour.Hostility"/> in a test.
/// </summary>
[Flags]
public enum Hostility
{
    None = 0,

    /// <summary>A paid read answers 302 to the other listener, which records any request carrying a payment token.</summary>
    RedirectPaidFetch = 1 << 0,

    /// <summary><c>GET /catalog</c> sends its headers, then one byte every 2 s, for ever.</summary>
    TrickleCatalog = 1 << 1,

    /// <summary>The unpaid price request (402) trickles.</summary>
    TricklePrice = 1 << 2,

    /// <summary><c>POST /pay</c> charges, then trickles its answer.</summary>
    TricklePayment = 1 << 3,

    /// <summary>The paid read trickles.</summary>
    TrickleFetch = 1 << 4,

    /// <summary>The catalog offers items 1 and 2 only, at 2,000,000,000 each.</summary>
    HugePrices = 1 << 5,

    /// <summary>A paid read answers 40 MB of JSON, chunked (no Content-Length).</summary>
    HugePaidFetch = 1 << 6,

    /// <summary>By item id modulo 6: a price of 0, -5, 1.5, no price, a 402 that is not JSON; the sixth is sound.</summary>
    BadPrices = 1 << 7,

    /// <summary>Items with an even id answer the unpaid price request with 200 and their data.</summary>
    PaidWithoutPayment = 1 << 8,

    /// <summary>Titles, companies, tags and data full of control characters, titles 10,000 characters long.</summary>
    ControlCharacters = 1 << 9,

    /// <summary>Titles, companies and data carrying <c>javascript:</c> links, raw HTML and images.</summary>
    ActiveContent = 1 << 10,
}
