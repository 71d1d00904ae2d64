using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow;

/// <summary>The seed's settings, read under the seed's environment variable names in every mode.</summary>
public sealed class WorkflowOptions
{
    public const string MarketplaceUrlKey = "MARKETPLACE_URL";
    public const string PaymentManagerUrlKey = "PAYMENT_MANAGER_URL";

    [ConfigurationKeyName(MarketplaceUrlKey)]
    [Required]
    public Uri MarketplaceUrl { get; set; } = new("http://localhost:8002");

    [ConfigurationKeyName(PaymentManagerUrlKey)]
    [Required]
    public Uri PaymentManagerUrl { get; set; } = new("http://localhost:8001");

    /// <summary>Seconds each HTTP attempt may take.</summary>
    [ConfigurationKeyName("HTTP_TIMEOUT")]
    [Range(0.001, 3600)]
    public double HttpTimeout { get; set; } = 30;

    /// <summary>Seconds a task may take from its creation; then it ends Failed with a WorkflowError.</summary>
    [ConfigurationKeyName("WORKFLOW_TIMEOUT")]
    [Range(1, 86400)]
    public double WorkflowTimeout { get; set; } = 300;

    /// <summary>Retries of a transient HTTP failure (5xx, timeout, refused connection).</summary>
    [ConfigurationKeyName("MAX_RETRIES")]
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Seconds before the first retry; later ones back off exponentially.</summary>
    [ConfigurationKeyName("RETRY_DELAY")]
    [Range(0, 600)]
    public double RetryDelay { get; set; } = 1;

    /// <summary>
    /// How long after its deadline a task may go on settling a payment whose outcome is unknown; then it ends
    /// Failed (PaymentError, "payment outcome unknown") and the purchase is left unconfirmed for a person to reconcile.
    /// </summary>
    [ConfigurationKeyName("Workflow:SettleFor")]
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan SettleFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest one HTTP call may take, every retry and backoff included.</summary>
    public TimeSpan LongestCall =>
        TimeSpan.FromSeconds(HttpTimeout) * (MaxRetries + 1) + TimeSpan.FromSeconds(RetryDelay) * Math.Pow(2, MaxRetries + 1) + TimeSpan.FromSeconds(1);

    /// <summary>How many catalog items a task considers at most.</summary>
    [Range(1, 50)]
    public int MaxSources { get; set; } = 8;
}
