using System.Security.Cryptography;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// The embedded mode's x402 wallet: without <c>X402:PrivateKey</c>, a key made on first start and kept in the data
/// folder (readable by this user only), so that <c>dotnet run</c> can pay the simulators' x402 items. Never used when
/// a key is configured; a development key, for simulators and test networks only.
/// </summary>
static class DevelopmentWallet
{
    const string KeyFile = "x402-wallet.key";

    public static void UseDevelopmentWallet(this IHostApplicationBuilder builder)
    {
        const string Key = $"{X402Options.Section}:{nameof(X402Options.PrivateKey)}";
        if (builder.Configuration[Key] is { Length: > 0 })
            return;

        builder.Configuration[Key] = ReadOrCreate(Path.Combine(builder.Environment.ContentRootPath, "data", KeyFile));
    }

    /// <summary>Reads the key file, or writes a new random key; two hosts racing keep the first.</summary>
    static string ReadOrCreate(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { } stored && LocalKeySigner.IsValidKey(stored))
            return stored;

        string key;
        do
            key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        while (!LocalKeySigner.IsValidKey(key));

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var draft = $"{path}.{Guid.NewGuid():N}";
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(new FileStream(draft, file)))
            writer.Write(key);
        try
        {
            File.Move(draft, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(draft);
        }

        return File.ReadAllText(path).Trim();
    }
}
