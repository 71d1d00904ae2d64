using System.Security.Cryptography;
using System.Text;
using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// What is stored to tell a retry (same <c>Idempotency-Key</c>, same body) from a reused key: an HMAC of the body with
/// the server's key, so that whoever reads the table cannot test a guessed voice id against it.
/// </summary>
public sealed class SubmissionHashes(byte[] key)
{
    const string DevelopmentKeyFile = "submission.key";

    public string Of(SubmitTaskRequest request) => Convert.ToHexString(HMACSHA256.HashData(key, Body(request)));

    /// <summary>
    /// Whether <paramref name="stored"/> was made from this body: by this key, or, for a row stored before the key
    /// existed, as the unsalted SHA-256 it was then (so that a retry of it finds its task).
    /// </summary>
    public bool Match(string? stored, SubmitTaskRequest request) =>
        stored is not null && (SameText(stored, Of(request)) || SameText(stored, Convert.ToHexString(SHA256.HashData(Body(request)))));

    /// <summary>The configured key, or in the embedded mode the one kept in the data folder (made on first use).</summary>
    public static SubmissionHashes Create(IntakeOptions options, IHostEnvironment environment) =>
        new(options.SubmissionKey is { Length: > 0 } configured
            ? Encoding.UTF8.GetBytes(configured)
            : DevelopmentSecrets.ReadOrCreate(environment, DevelopmentKeyFile, () => RandomNumberGenerator.GetBytes(IntakeOptions.MinSubmissionKeyBytes)));

    static byte[] Body(SubmitTaskRequest request) => Encoding.UTF8.GetBytes($"{request.Theme}\0{request.Budget}\0{request.VoiceId}");

    static bool SameText(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
