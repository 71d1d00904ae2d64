using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow.Analysis;

/// <summary>
/// An OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM...) for ranking sources and writing the summary.
/// Without <see cref="Endpoint"/> the built-in ranking (BM25) and summary are used.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>The API's base address, such as <c>http://localhost:11434/v1</c> for Ollama.</summary>
    public Uri? Endpoint { get; set; }

    [Required]
    public string Model { get; set; } = "gpt-4o-mini";

    /// <summary>Sent as the bearer token; local servers ignore it.</summary>
    public string ApiKey { get; set; } = "not-needed";

    /// <summary>How long one answer may take before the built-in analysis is used instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
