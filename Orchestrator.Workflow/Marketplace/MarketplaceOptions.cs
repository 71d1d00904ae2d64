using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow.Marketplace;

/// <summary>Limits on what the Marketplace and the Payment Manager may send back.</summary>
public sealed class MarketplaceOptions
{
    public const string Section = "Marketplace";

    /// <summary>The largest answer body read, in bytes; a larger one is refused unread (1 MiB by default).</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxResponseBytes { get; set; } = 1024 * 1024;
}
