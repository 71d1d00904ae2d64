namespace Orchestrator.Contracts;

public sealed record WriteReport(
    Guid TaskId,
    string Theme,
    int Budget,
    IReadOnlyList<PurchasedSource> Sources,
    IReadOnlyList<SourceQuote> NotBought);

public sealed record PurchasedSource(int ItemId, string Title, string Company, int Price, string Data);

public sealed record ReportWritten(Guid TaskId, string Markdown);
