namespace Orchestrator.Contracts;

public sealed record WriteReport(
    Guid TaskId,
    string Theme,
    long Budget,
    IReadOnlyList<PurchasedSource> Sources,
    IReadOnlyList<SourceNotBought> NotBought);

/// <summary>
/// A source the task paid for, or reused from an earlier purchase of its owner's (<paramref name="ReusedFrom"/>, paid
/// then at <paramref name="PaidAt"/>): <paramref name="Data"/> is the item's JSON object, as text, and
/// <paramref name="DataSha256"/> the digest of the bytes the marketplace delivered; <paramref name="Reference"/> what the
/// seller returned for the payment (an x402 settlement's transaction, on <paramref name="Network"/>).
/// </summary>
public sealed record PurchasedSource(
    int ItemId,
    string Title,
    string Company,
    long Price,
    string Data,
    DateTime? PaidAt,
    string? DataSha256 = null,
    Guid? ReusedFrom = null,
    string? Reference = null,
    string? Network = null);

/// <summary>A source the task considered and did not buy, and why; <paramref name="Price"/> is null when none was validly quoted.</summary>
public sealed record SourceNotBought(int ItemId, string Title, string Company, long? Price, string Reason);

public sealed record ReportWritten(Guid TaskId, string Markdown);
