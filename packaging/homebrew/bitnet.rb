# Homebrew formula for bitnet, rendered by `bitnet-release packaging` from
# packaging/homebrew/bitnet.rb. Copy it to Formula/bitnet.rb in the tap.
class Bitnet < Formula
  desc "Inference framework for 1-bit LLMs (bitnet-cli and bitnet-server)"
  homepage "https://github.com/microsoft/BitNet"
  license "MIT"

  # The repository also tags the installer (bitnet-install-v<V>): only the
  # product's own tags v<V> are versions of this formula.
  livecheck do
    url :stable
    regex(/^v(\d+(?:\.\d+)+)$/i)
  end

  on_macos do
    on_arm do
      url "{{url aarch64-apple-darwin}}"
      sha256 "{{sha256 aarch64-apple-darwin}}"
    end
    on_intel do
      url "{{url x86_64-apple-darwin}}"
      sha256 "{{sha256 x86_64-apple-darwin}}"
    end
  end

  on_linux do
    on_arm do
      url "{{url aarch64-unknown-linux-gnu}}"
      sha256 "{{sha256 aarch64-unknown-linux-gnu}}"
    end
    on_intel do
      url "{{url x86_64-unknown-linux-gnu}}"
      sha256 "{{sha256 x86_64-unknown-linux-gnu}}"
    end
  end

  def install
    bin.install "bitnet-cli", "bitnet-server"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/bitnet-cli --version")
  end
end
