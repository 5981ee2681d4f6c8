"""营商 Yingshang: one-stop online services for enterprises and smart supervision for regulators."""
